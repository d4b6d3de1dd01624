"""`kepil demo`: the whole story of issue 21 with real parts, one module per act.

Every identity, key and certificate the demo makes is a TEST fixture from a TEST PKI made for
the run: nothing here is fit for a real permit or a real platform.
"""

"""`kepil demo`: the whole story of issue 21 with real parts, one module per act.

Every identity, key and certificate the demo makes comes from a TEST PKI (`kepil pki`'s
development CA) made for the run: nothing here is fit for a real permit or a real platform.
"""

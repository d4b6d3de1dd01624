"""`kepil demo`: the whole story of issue 21 with real processes and TEST PKI
signatures (placeholder documents), one module per act.

Every identity, key and certificate the demo makes comes from a TEST PKI (`kepil pki`'s
development CA) made for the run: nothing here is fit for a real permit or a real platform.
"""

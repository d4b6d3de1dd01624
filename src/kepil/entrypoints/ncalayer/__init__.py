"""`kepil ncalayer`: a stand-in for NCALayer, for development and tests (docs/ncalayer.md)."""

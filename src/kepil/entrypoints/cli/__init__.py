"""The kepil command line."""

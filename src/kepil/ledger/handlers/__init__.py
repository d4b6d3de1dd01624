"""One module per family of transaction types; each type is a payload and a handler."""

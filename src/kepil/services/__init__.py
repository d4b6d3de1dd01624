"""Use-case handlers, unit of work and read-side queries."""

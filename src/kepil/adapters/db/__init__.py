"""Relational persistence: engine, migrations."""

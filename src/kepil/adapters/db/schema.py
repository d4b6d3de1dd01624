"""Every table module, imported once, so `metadata` describes the whole schema."""

from kepil.adapters.db import complaint_tables, permit_tables, platform_tables, tables
from kepil.adapters.db.metadata import metadata

__all__ = ["complaint_tables", "metadata", "permit_tables", "platform_tables", "tables"]

"""Tables of complaints (Rules §13-§15) and of changes to the Rules with their notices (§12)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from kepil.adapters.db.metadata import metadata
from kepil.adapters.db.types import UtcDateTime

# The deadlines are stored, not recomputed, so a later holiday correction cannot move them.
complaints = Table(
    "complaints",
    metadata,
    Column("number", String(32), primary_key=True),
    Column(
        "application_number",
        String(32),
        ForeignKey("permit_applications.number"),
        nullable=False,
    ),
    Column("complainant", String(12), nullable=False),
    Column("filed_by_iin", String(12), nullable=False),
    Column("filed_by_name", Text, nullable=False),
    Column("subject", String(16), nullable=False),
    Column("filed_with", String(32), nullable=False),
    Column("target", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("status", String(32), nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("registration_day", Date, nullable=False),
    Column("registered_at", UtcDateTime, nullable=True),
    Column("registered_by", String(12), nullable=True),
    Column("provider_response_due", UtcDateTime, nullable=True),
    Column("review_due", UtcDateTime, nullable=False),
    Column("settled_at", UtcDateTime, nullable=True),
    # The complainant's CMS over the complaint; its hash makes a replayed upload a no-op.
    Column("signed_complaint", LargeBinary, nullable=False),
    Column("signature_sha256", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_complaints_complainant", "complainant"),
    Index("ix_complaints_application_number", "application_number"),
    Index("ix_complaints_signature_sha256", "signature_sha256", unique=True),
)

complaint_events = Table(
    "complaint_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("complaint_number", String(32), ForeignKey("complaints.number"), nullable=False),
    Column("kind", String(48), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("status", String(32), nullable=False),
    Column("actor_role", String(32), nullable=False),
    Column("actor_name", Text, nullable=False),
    Column("actor_iin", String(12), nullable=False),
    Column("stage_deadline", UtcDateTime, nullable=True),
    Column("late", Boolean, nullable=False),
    Column("decision", Text, nullable=False),
    Column("details", Text, nullable=False),
    # The CMS of the act (filing or decision) that caused the line.
    Column("signature", LargeBinary, nullable=True),
    Index("ix_complaint_events_complaint_number", "complaint_number"),
)

rule_changes = Table(
    "rule_changes",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("identifier", String(64), nullable=False),
    Column("adopted_on", Date, nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("summary", Text, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("recorded_by", String(12), nullable=False),
    Index("ix_rule_changes_identifier", "identifier", unique=True),
)

rule_change_notices = Table(
    "rule_change_notices",
    metadata,
    Column("rule_change_id", String(32), ForeignKey("rule_changes.id"), primary_key=True),
    Column("recipient", String(40), primary_key=True),
    Column("due", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Column("sent_by", String(12), nullable=True),
    Index("ix_rule_change_notices_open_due", "sent_at", "due"),
)

"""Tables of the permit workflow: applications, their history, documents, numbers, staff."""

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

# The aggregate's current state; JSON columns hold values the domain codec writes.
permit_applications = Table(
    "permit_applications",
    metadata,
    Column("number", String(32), primary_key=True),
    Column("applicant_id", String(12), nullable=False),
    Column("applicant_name", Text, nullable=False),
    Column("platform_name", Text, nullable=False),
    Column("status", String(40), nullable=False),
    Column("form", Text, nullable=False),
    Column("schedule", Text, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    Column("registration_day", Date, nullable=False),
    Column("preliminary_reasons", Text, nullable=True),
    Column("hearing_at", UtcDateTime, nullable=True),
    # How many times the hearing was moved with a new notice (Rules §8 allows one).
    Column("hearing_moves", Integer, nullable=False, server_default="0"),
    # The examiner's signed records that a reported App.1 §10 ground 3/4 does not apply (JSON).
    Column("ground_clearances", Text, nullable=False, server_default="[]"),
    Column("last_event_at", UtcDateTime, nullable=False),
    Column("state_facts", Text, nullable=False),
    # The applicant's CMS over the form: the evidence of what was filed (Rules §3).
    Column("signed_form", LargeBinary, nullable=False),
    # Optimistic lock: two officials acting at once cannot both move the same application.
    Column("version", Integer, nullable=False),
    Index("ix_permit_applications_applicant_id", "applicant_id"),
    Index("ix_permit_applications_status", "status"),
)

permit_application_events = Table(
    "permit_application_events",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column(
        "application_number",
        String(32),
        ForeignKey("permit_applications.number"),
        nullable=False,
    ),
    Column("kind", String(64), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("status", String(40), nullable=False),
    Column("actor_role", String(32), nullable=False),
    Column("actor_name", Text, nullable=False),
    Column("actor_iin", String(12), nullable=False),
    Column("stage_deadline", UtcDateTime, nullable=True),
    Column("late", Boolean, nullable=False),
    Column("details", Text, nullable=False),
    # The official's or applicant's CMS over the decision that caused the event.
    Column("signature", LargeBinary, nullable=True),
    Index("ix_permit_application_events_application_number", "application_number"),
)

permit_stage_deadlines = Table(
    "permit_stage_deadlines",
    metadata,
    Column(
        "application_number",
        String(32),
        ForeignKey("permit_applications.number"),
        primary_key=True,
    ),
    Column("stage", String(32), primary_key=True),
    Column("due", UtcDateTime, nullable=False),
    Column("settled_at", UtcDateTime, nullable=True),
    Column("outcome", String(16), nullable=True),
    # Set by the sweeper once it has reported the stage overdue (Rules §10), so it reports once.
    Column("overdue_marked_at", UtcDateTime, nullable=True),
    Index("ix_permit_stage_deadlines_open_due", "settled_at", "due"),
)

permit_attachments = Table(
    "permit_attachments",
    metadata,
    Column(
        "application_number",
        String(32),
        ForeignKey("permit_applications.number"),
        primary_key=True,
    ),
    Column("sha256", String(64), primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("media_type", String(127), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

# Result documents of Rules §9: canonical JSON and the head's CMS over exactly those bytes.
permit_documents = Table(
    "permit_documents",
    metadata,
    Column("number", String(32), primary_key=True),
    Column(
        "application_number",
        String(32),
        ForeignKey("permit_applications.number"),
        nullable=False,
    ),
    Column("kind", String(48), nullable=False),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("recipient_id", String(12), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("signature", LargeBinary, nullable=False),
    Column("signer_iin", String(12), nullable=False),
    Column("sha256", String(64), nullable=False),
    Index("ix_permit_documents_application_number", "application_number"),
    Index("ix_permit_documents_recipient_id", "recipient_id"),
)

number_sequences = Table(
    "number_sequences",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("owner", String(12), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("result", String(32), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# Every EDS-signed act that took effect, by digest, written in the transaction of its effect:
# a captured act sent again is refused, naming what it did the first time.
used_signed_acts = Table(
    "used_signed_acts",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("result", Text, nullable=False),
    Column("used_at", UtcDateTime, nullable=False),
)

# Ministry officials and their duties: the certificate proves who, this table says what role.
staff_roles = Table(
    "staff_roles",
    metadata,
    Column("iin", String(12), primary_key=True),
    Column("role", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("position", Text, nullable=False),
    Column("granted_at", UtcDateTime, nullable=False),
    Column("granted_by", Text, nullable=False),
)

# Who acts for the head (Rules §9), on which Almaty days, on what basis, recorded by whom;
# ended_at is set when an administrator ends the period early (or cancels it before it begins).
acting_periods = Table(
    "acting_periods",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("iin", String(12), nullable=False),
    Column("role", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("position", Text, nullable=False),
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    Column("basis", Text, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("recorded_by", Text, nullable=False),
    Column("ended_at", UtcDateTime, nullable=True),
    Column("ended_by", Text, nullable=True),
    Index("ix_acting_periods_iin", "iin"),
)

# What the cabinet and the officials are told: overdue stages, new results.
notifications = Table(
    "notifications",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("recipient", String(32), nullable=False),
    Column("case_number", String(32), nullable=False),
    Column("kind", String(48), nullable=False),
    Column("message", Text, nullable=False),
    # The same message in Kazakh, where the service says it in both languages; "" otherwise.
    Column("message_kk", Text, nullable=False, server_default=""),
    Column("created_at", UtcDateTime, nullable=False),
    Column("read_at", UtcDateTime, nullable=True),
    Index("ix_notifications_recipient", "recipient"),
)

"""The permit workflow (Rules §3-§9): applications, history, deadlines, documents, staff.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kepil.adapters.db.types import UtcDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def _application_fk() -> sa.ForeignKey:
    return sa.ForeignKey("permit_applications.number")


def upgrade() -> None:
    op.create_table(
        "permit_applications",
        sa.Column("number", sa.String(32), primary_key=True),
        sa.Column("applicant_id", sa.String(12), nullable=False),
        sa.Column("applicant_name", sa.Text, nullable=False),
        sa.Column("platform_name", sa.Text, nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("form", sa.Text, nullable=False),
        sa.Column("schedule", sa.Text, nullable=False),
        sa.Column("received_at", UtcDateTime, nullable=False),
        sa.Column("registration_day", sa.Date, nullable=False),
        sa.Column("preliminary_reasons", sa.Text, nullable=True),
        sa.Column("hearing_at", UtcDateTime, nullable=True),
        sa.Column("last_event_at", UtcDateTime, nullable=False),
        sa.Column("state_facts", sa.Text, nullable=False),
        sa.Column("signed_form", sa.LargeBinary, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_permit_applications_applicant_id", "permit_applications", ["applicant_id"])
    op.create_index("ix_permit_applications_status", "permit_applications", ["status"])
    op.create_table(
        "permit_application_events",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("application_number", sa.String(32), _application_fk(), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("actor_role", sa.String(32), nullable=False),
        sa.Column("actor_name", sa.Text, nullable=False),
        sa.Column("actor_iin", sa.String(12), nullable=False),
        sa.Column("stage_deadline", UtcDateTime, nullable=True),
        sa.Column("late", sa.Boolean, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=True),
    )
    op.create_index(
        "ix_permit_application_events_application_number",
        "permit_application_events",
        ["application_number"],
    )
    op.create_table(
        "permit_stage_deadlines",
        sa.Column("application_number", sa.String(32), _application_fk(), primary_key=True),
        sa.Column("stage", sa.String(32), primary_key=True),
        sa.Column("due", UtcDateTime, nullable=False),
        sa.Column("settled_at", UtcDateTime, nullable=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("overdue_marked_at", UtcDateTime, nullable=True),
    )
    op.create_index(
        "ix_permit_stage_deadlines_open_due", "permit_stage_deadlines", ["settled_at", "due"]
    )
    op.create_table(
        "permit_attachments",
        sa.Column("application_number", sa.String(32), _application_fk(), primary_key=True),
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("media_type", sa.String(127), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "permit_documents",
        sa.Column("number", sa.String(32), primary_key=True),
        sa.Column("application_number", sa.String(32), _application_fk(), nullable=False),
        sa.Column("kind", sa.String(48), nullable=False),
        sa.Column("issued_at", UtcDateTime, nullable=False),
        sa.Column("recipient_id", sa.String(12), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
        sa.Column("signer_iin", sa.String(12), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    op.create_index(
        "ix_permit_documents_application_number", "permit_documents", ["application_number"]
    )
    op.create_index("ix_permit_documents_recipient_id", "permit_documents", ["recipient_id"])
    op.create_table(
        "number_sequences",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("owner", sa.String(12), primary_key=True),
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("result", sa.String(32), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "staff_roles",
        sa.Column("iin", sa.String(12), primary_key=True),
        sa.Column("role", sa.String(32), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("position", sa.Text, nullable=False),
        sa.Column("granted_at", UtcDateTime, nullable=False),
        sa.Column("granted_by", sa.Text, nullable=False),
    )
    op.create_table(
        "notifications",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("recipient", sa.String(32), nullable=False),
        sa.Column("case_number", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(48), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("read_at", UtcDateTime, nullable=True),
    )
    op.create_index("ix_notifications_recipient", "notifications", ["recipient"])


def downgrade() -> None:
    for table in (
        "notifications",
        "staff_roles",
        "idempotency_keys",
        "number_sequences",
        "permit_documents",
        "permit_attachments",
        "permit_stage_deadlines",
        "permit_application_events",
        "permit_applications",
    ):
        op.drop_table(table)

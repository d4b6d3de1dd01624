"""Complaints (Rules §13-§15) and changes to the Rules with their notices (§12).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kepil.adapters.db.types import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "complaints",
        sa.Column("number", sa.String(32), primary_key=True),
        sa.Column(
            "application_number",
            sa.String(32),
            sa.ForeignKey("permit_applications.number"),
            nullable=False,
        ),
        sa.Column("complainant", sa.String(12), nullable=False),
        sa.Column("filed_by_iin", sa.String(12), nullable=False),
        sa.Column("filed_by_name", sa.Text, nullable=False),
        sa.Column("subject", sa.String(16), nullable=False),
        sa.Column("filed_with", sa.String(32), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("received_at", UtcDateTime, nullable=False),
        sa.Column("registration_day", sa.Date, nullable=False),
        sa.Column("registered_at", UtcDateTime, nullable=True),
        sa.Column("registered_by", sa.String(12), nullable=True),
        sa.Column("provider_response_due", UtcDateTime, nullable=True),
        sa.Column("review_due", UtcDateTime, nullable=False),
        sa.Column("settled_at", UtcDateTime, nullable=True),
        sa.Column("signed_complaint", sa.LargeBinary, nullable=False),
        sa.Column("signature_sha256", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_complaints_complainant", "complaints", ["complainant"])
    op.create_index("ix_complaints_application_number", "complaints", ["application_number"])
    op.create_index(
        "ix_complaints_signature_sha256", "complaints", ["signature_sha256"], unique=True
    )
    op.create_table(
        "complaint_events",
        sa.Column("id", _ID, primary_key=True),
        sa.Column(
            "complaint_number", sa.String(32), sa.ForeignKey("complaints.number"), nullable=False
        ),
        sa.Column("kind", sa.String(48), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("actor_role", sa.String(32), nullable=False),
        sa.Column("actor_name", sa.Text, nullable=False),
        sa.Column("actor_iin", sa.String(12), nullable=False),
        sa.Column("stage_deadline", UtcDateTime, nullable=True),
        sa.Column("late", sa.Boolean, nullable=False),
        sa.Column("decision", sa.Text, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=True),
    )
    op.create_index(
        "ix_complaint_events_complaint_number", "complaint_events", ["complaint_number"]
    )
    op.create_table(
        "rule_changes",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("identifier", sa.String(64), nullable=False),
        sa.Column("adopted_on", sa.Date, nullable=False),
        sa.Column("effective_on", sa.Date, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
        sa.Column("recorded_by", sa.String(12), nullable=False),
    )
    op.create_index("ix_rule_changes_identifier", "rule_changes", ["identifier"], unique=True)
    op.create_table(
        "rule_change_notices",
        sa.Column(
            "rule_change_id", sa.String(32), sa.ForeignKey("rule_changes.id"), primary_key=True
        ),
        sa.Column("recipient", sa.String(40), primary_key=True),
        sa.Column("due", UtcDateTime, nullable=False),
        sa.Column("sent_at", UtcDateTime, nullable=True),
        sa.Column("sent_by", sa.String(12), nullable=True),
    )
    op.create_index("ix_rule_change_notices_open_due", "rule_change_notices", ["sent_at", "due"])


def downgrade() -> None:
    for table in ("rule_change_notices", "rule_changes", "complaint_events", "complaints"):
        op.drop_table(table)

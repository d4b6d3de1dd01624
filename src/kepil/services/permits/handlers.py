"""Every command of the permit wing and its one handler; bootstrap puts them on the bus."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kepil.services.messagebus import Command
from kepil.services.permits import (
    complaints,
    decisions,
    officials,
    platforms,
    registry_status,
    rule_changes,
    submission,
    sweeper,
)

COMMAND_HANDLERS: dict[type[Command[Any]], Callable[..., Any]] = {
    submission.SubmitApplication: submission.submit_application,
    decisions.DecideOnApplication: decisions.decide,
    complaints.FileComplaint: complaints.file_complaint,
    complaints.DecideOnComplaint: complaints.decide_on_complaint,
    registry_status.ChangePermitStatus: registry_status.change_permit_status,
    rule_changes.RecordRuleChange: rule_changes.record_rule_change,
    rule_changes.MarkNoticeSent: rule_changes.mark_notice_sent,
    officials.GrantRole: officials.grant_role,
    officials.RevokeRole: officials.revoke_role,
    officials.GrantDuty: officials.grant_duty,
    officials.RevokeDuty: officials.revoke_duty,
    officials.RecordActingPeriod: officials.record_acting_period,
    officials.EndActingPeriod: officials.end_acting_period,
    sweeper.SweepOverdue: sweeper.sweep_overdue,
    platforms.RegisterPlatform: platforms.register_platform,
    platforms.ChangePlatform: platforms.change_platform,
    platforms.RemovePlatform: platforms.remove_platform,
    platforms.AbandonDelivery: platforms.abandon_delivery,
}

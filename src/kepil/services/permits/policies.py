"""What follows each event of the permit wing in the same transaction: the monitoring stage log
(Rules §10), the cabinet messages (§4, App.1 §11 item 3) and the state registry (§11).

Each policy is a plain function of an event and the unit of work it was emitted in; `POLICIES`
says which events they follow. A crash loses the change and all of these together, or none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Any

from kepil.domain.calendar import to_almaty
from kepil.domain.monitoring import StageRecord
from kepil.domain.permits import ApplicationEvent, FiledWith, PermitIssued, PermitRole, Stage
from kepil.domain.permits.codec import event_record
from kepil.domain.registry import RegistryEntry
from kepil.services.permits.cabinet_messages import cabinet_message
from kepil.services.permits.events import (
    ComplaintStepRecorded,
    PermitStatusChanged,
    StageWentOverdue,
)
from kepil.services.permits.platforms import queue_for_platforms
from kepil.services.permits.ports import Notification
from kepil.services.permits.sweeper import (
    SERVICE_TERM_OVERDUE,
    STAGE_OVERDUE,
    STAGE_TITLES,
    SWEEPER_ACTOR,
    role_recipient,
)
from kepil.services.unit_of_work import Policy, UnitOfWork

COMPLAINT_CABINET_TEXTS = {
    "complaint_filed": "Жалоба принята",
    "complaint_registered": "Жалоба зарегистрирована",
    "complaint_satisfied_by_provider": "Жалоба удовлетворена услугодателем",
    "complaint_forwarded": "Жалоба и административное дело направлены в орган, "
    "рассматривающий жалобу",
    "complaint_upheld": "Жалоба удовлетворена органом, рассматривающим жалобу",
    "complaint_rejected": "В удовлетворении жалобы отказано",
}


def chain_application_step(event: ApplicationEvent, uow: UnitOfWork) -> None:
    """Rules §10: every step of an application enters the monitoring stage log."""
    record = event_record(event)
    uow.stage_log.append(
        StageRecord(
            case=event.application_number,
            stage=record.kind,
            actor=f"{record.actor_role}:{record.actor_iin}",
            occurred_at=event.at,
            deadline=event.stage_deadline,
            details={"status": record.status, "late": record.late},
        )
    )


def tell_the_applicant(event: ApplicationEvent, uow: UnitOfWork) -> None:
    """The applicant's cabinet shows every change of status, in Russian and Kazakh; the §8
    notices with the decision and the hearing's time and place (cabinet_messages.py)."""
    said = cabinet_message(event)
    uow.notifications.add(
        Notification(
            recipient=event.applicant_id,
            case_number=event.application_number,
            kind=event_record(event).kind,
            message=said.ru,
            created_at=event.at,
            message_kk=said.kk,
        )
    )


def enter_the_registry(event: PermitIssued, uow: UnitOfWork) -> None:
    """Rules §11: the permit enters the public state registry at issue."""
    permit = event.permit
    year = to_almaty(event.at).year
    registry_number = f"REG-{year}-{uow.numbers.next(f'registry-{year}'):06d}"
    uow.registry.add(
        RegistryEntry(
            registry_number=registry_number,
            permit_number=permit.number,
            application_number=permit.application_number,
            holder_name=permit.recipient.name,
            holder_iin_bin=permit.recipient.iin_or_bin,
            platform_name=permit.platform_name,
            purpose=permit.purpose,
            addresses=tuple(address.one_line() for address in permit.activity_addresses),
            issued_on=permit.issue_date,
            valid_until=permit.valid_until,
        )
    )


def chain_complaint_step(event: ComplaintStepRecorded, uow: UnitOfWork) -> None:
    """Rules §10: complaints are monitored like applications."""
    line, complaint = event.line, event.complaint
    uow.stage_log.append(
        StageRecord(
            case=complaint.number,
            stage=line.kind,
            actor=f"{line.actor_role}:{line.actor_iin}",
            occurred_at=line.at,
            deadline=line.stage_deadline,
            details={
                "status": line.status,
                "late": line.late,
                "application_number": complaint.application_number,
            },
        )
    )


def tell_the_complaint_parties(event: ComplaintStepRecorded, uow: UnitOfWork) -> None:
    """The complainant hears of every step; the reviewing body of every complaint reaching it."""
    line, complaint = event.line, event.complaint
    message = COMPLAINT_CABINET_TEXTS.get(line.kind, line.status)
    recipients = [complaint.complainant]
    # The reviewing body learns of every complaint that reaches it (§13, §14).
    if line.kind == "complaint_forwarded" or (
        line.kind == "complaint_filed" and complaint.filed_with is FiledWith.QUALITY_CONTROL_AGENCY
    ):
        recipients.append(role_recipient(PermitRole.COMPLAINT_REVIEWER))
    for recipient in recipients:
        uow.notifications.add(
            Notification(recipient, complaint.number, line.kind, message, line.at)
        )


def chain_status_change(event: PermitStatusChanged, uow: UnitOfWork) -> None:
    """Rules §10: a permit's suspension, reinstatement or revocation enters the stage log."""
    entry = event.entry
    uow.stage_log.append(
        StageRecord(
            case=entry.application_number,
            stage=f"permit_{event.action}",
            actor=f"head:{event.actor_iin}",
            occurred_at=event.at,
            details={"registry_number": entry.registry_number, "reason": event.reason},
        )
    )


def tell_the_holder(event: PermitStatusChanged, uow: UnitOfWork) -> None:
    """The permit's holder hears of its new status in the cabinet."""
    entry = event.entry
    uow.notifications.add(
        Notification(
            recipient=entry.holder_iin_bin,
            case_number=entry.application_number,
            kind=f"permit_{event.action}",
            message=f"Статус разрешения {entry.permit_number}: {entry.stored_status}",
            created_at=event.at,
        )
    )


def chain_overdue_stage(event: StageWentOverdue, uow: UnitOfWork) -> None:
    """Rules §10: a missed deadline enters the stage log, once, by the sweeper."""
    # In UTC: the log stores moments as UTC, and the hash must match what is read back.
    at, due = event.at.astimezone(UTC), event.due.astimezone(UTC)
    uow.stage_log.append(
        StageRecord(
            case=event.application_number,
            stage=STAGE_OVERDUE,
            actor=SWEEPER_ACTOR,
            occurred_at=at,
            deadline=due,
            details={
                "stage": str(event.stage),
                "due": due.isoformat(),
                "responsible": str(event.responsible),
            },
        )
    )


def tell_the_responsible(event: StageWentOverdue, uow: UnitOfWork) -> None:
    """The officials who owe the stage hear that it is overdue."""
    title = STAGE_TITLES[event.stage]
    uow.notifications.add(
        Notification(
            recipient=role_recipient(event.responsible),
            case_number=event.application_number,
            kind=STAGE_OVERDUE,
            message=f"Заявление {event.application_number}: просрочен этап «{title}», "
            f"{_expired(event)}",
            created_at=event.at,
        )
    )


def tell_the_applicant_of_the_term(event: StageWentOverdue, uow: UnitOfWork) -> None:
    """The applicant hears only of the term owed to them (App.1 §4), not of internal stages."""
    if event.stage is not Stage.SERVICE_TERM:
        return
    stored = uow.applications.get(event.application_number)
    if stored is None:
        return
    uow.notifications.add(
        Notification(
            recipient=stored.application.form.applicant_identifier,
            case_number=event.application_number,
            kind=SERVICE_TERM_OVERDUE,
            message=f"Срок оказания услуги по заявлению нарушен: {_expired(event)}",
            created_at=event.at,
        )
    )


def _expired(event: StageWentOverdue) -> str:
    return f"срок истёк {to_almaty(event.due):%d.%m.%Y %H:%M}"


POLICIES: Mapping[type[Any], Sequence[Policy]] = {
    ApplicationEvent: (chain_application_step, tell_the_applicant),
    PermitIssued: (enter_the_registry,),
    ComplaintStepRecorded: (chain_complaint_step, tell_the_complaint_parties),
    PermitStatusChanged: (chain_status_change, tell_the_holder, queue_for_platforms),
    StageWentOverdue: (chain_overdue_stage, tell_the_responsible, tell_the_applicant_of_the_term),
}

"""After every change: the history, the monitoring stage log (Rules §10), the cabinet."""

from __future__ import annotations

from collections.abc import Sequence

from kepil.domain.monitoring import StageRecord
from kepil.domain.permits import ApplicationEvent
from kepil.services.permits.ports import Notification
from kepil.services.unit_of_work import UnitOfWork

# What the applicant's cabinet says at each status (Rules §4: «принято» on submission).
CABINET_TEXTS = {
    "submitted": "Заявление принято",
    "registered": "Заявление зарегистрировано",
    "refused_further_consideration": "Отказ в дальнейшем рассмотрении заявления",
    "under_review": "Заявление на рассмотрении",
    "preliminary_refusal": "Предварительное решение об отказе; назначается заслушивание",
    "hearing_scheduled": "Назначено заслушивание",
    "hearing_held": "Заслушивание проведено",
    "permit_issued": "Разрешение выдано",
    "refused": "Мотивированный отказ в выдаче разрешения",
    "withdrawn": "Заявление отозвано",
}


def publish(
    uow: UnitOfWork,
    applicant_id: str,
    events: Sequence[ApplicationEvent],
    signature: bytes | None,
) -> None:
    """Record the events, chain them into the stage log and tell the applicant's cabinet."""
    records = uow.applications.record_events(events, signature)
    for event, record in zip(events, records, strict=True):
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
        uow.notifications.add(
            Notification(
                recipient=applicant_id,
                case_number=event.application_number,
                kind=record.kind,
                message=CABINET_TEXTS.get(record.status, record.status),
                created_at=event.at,
            )
        )

"""JSON forms of the permit domain: what the applicant signs, what is stored, what is published."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, TypeVar

from kepil.domain.permits.application import (
    ActivityAddress,
    ApplicantKind,
    ApplicantRequisites,
    ApplicationForm,
    Attachment,
    AttachmentKind,
)
from kepil.domain.permits.deadlines import ServiceSchedule, Stage, StageDeadline, StageOutcome
from kepil.domain.permits.events import ApplicationEvent
from kepil.domain.permits.grounds import GroundClearance, RefusalGround, RefusalReasons
from kepil.domain.permits.validation import Problem, ProblemCode

FORM_SCHEMA = "kepil/app2-form/v1"
_K = TypeVar("_K", ApplicantKind, AttachmentKind)


class FormDecodingError(ValueError):
    """A signed form that is not the JSON shape of Appendix 2; lists every bad path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def form_to_dict(form: ApplicationForm) -> dict[str, Any]:
    """The form as the applicant signs it: stable keys, dates as ISO strings."""
    requisites = form.requisites
    return {
        "schema": FORM_SCHEMA,
        "requisites": {
            "address": requisites.address,
            "iin_or_bin": requisites.iin_or_bin,
            "phone": requisites.phone,
            "email": requisites.email,
        },
        "applicant_name": form.applicant_name,
        "applicant_kind": str(form.applicant_kind),
        "platform_name": form.platform_name,
        "purpose": form.purpose,
        "activity_addresses": [a.to_canonical_dict() for a in form.activity_addresses],
        "attachments": [attachment_to_dict(a) for a in form.attachments],
        "truthfulness_confirmed": form.truthfulness_confirmed,
        "consents_to_protected_secrets_use": form.consents_to_protected_secrets_use,
        "consents_to_personal_data_access": form.consents_to_personal_data_access,
        # Forms stored before the statements were signed round-trip without them.
        **(
            {"language": form.language, "statements": dict(form.statements)}
            if form.language or form.statements
            else {}
        ),
    }


def attachment_to_dict(attachment: Attachment) -> dict[str, Any]:
    """One attachment as the form lists it: kind, name, type, size, hash, validity."""
    return {
        "kind": str(attachment.kind),
        "file_name": attachment.file_name,
        "media_type": attachment.media_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "valid_until": attachment.valid_until.isoformat() if attachment.valid_until else None,
    }


def form_from_dict(data: object) -> ApplicationForm:
    """Read a form back; FormDecodingError names every missing or mistyped field."""
    reader = _Reader()
    root = reader.mapping(data, "")
    if root.get("schema", FORM_SCHEMA) != FORM_SCHEMA:
        reader.problems.append(f"schema: expected {FORM_SCHEMA}")
    requisites = reader.mapping(root.get("requisites"), "requisites")
    addresses = reader.items(root.get("activity_addresses"), "activity_addresses")
    attachments = reader.items(root.get("attachments"), "attachments")
    form = ApplicationForm(
        requisites=ApplicantRequisites(
            address=reader.text(requisites, "address", "requisites"),
            iin_or_bin=reader.text(requisites, "iin_or_bin", "requisites"),
            phone=reader.text(requisites, "phone", "requisites"),
            email=reader.text(requisites, "email", "requisites"),
        ),
        applicant_name=reader.text(root, "applicant_name"),
        applicant_kind=reader.choice(root, "applicant_kind", ApplicantKind),
        platform_name=reader.text(root, "platform_name"),
        purpose=reader.text(root, "purpose"),
        activity_addresses=tuple(
            _address(reader, reader.mapping(item, f"activity_addresses[{i}]"), i)
            for i, item in enumerate(addresses)
        ),
        attachments=tuple(
            _attachment(reader, reader.mapping(item, f"attachments[{i}]"), f"attachments[{i}]")
            for i, item in enumerate(attachments)
        ),
        truthfulness_confirmed=reader.flag(root, "truthfulness_confirmed"),
        consents_to_protected_secrets_use=reader.flag(root, "consents_to_protected_secrets_use"),
        consents_to_personal_data_access=reader.flag(root, "consents_to_personal_data_access"),
        language=reader.text(root, "language", required=False),
        statements=_statements(reader, root),
    )
    if reader.problems:
        raise FormDecodingError(reader.problems)
    return form


def _statements(reader: _Reader, root: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    if "statements" not in root:
        return ()
    found = reader.mapping(root["statements"], "statements")
    return tuple((str(key), reader.text(found, str(key), "statements")) for key in found)


def _address(reader: _Reader, data: Mapping[str, Any], index: int) -> ActivityAddress:
    where = f"activity_addresses[{index}]"
    optional = {
        key: reader.text(data, key, where, required=False)
        for key in ("region", "city", "district", "settlement")
    }
    return ActivityAddress(
        postal_code=reader.text(data, "postal_code", where),
        street=reader.text(data, "street", where),
        building=reader.text(data, "building", where),
        **optional,
    )


def _attachment(reader: _Reader, data: Mapping[str, Any], where: str) -> Attachment:
    size = data.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        reader.problems.append(f"{where}.size: a non-negative integer is required")
        size = 0
    return Attachment(
        kind=reader.choice(data, "kind", AttachmentKind, where),
        file_name=reader.text(data, "file_name", where),
        media_type=reader.text(data, "media_type", where),
        size=size,
        sha256=reader.text(data, "sha256", where),
        valid_until=reader.day(data, "valid_until", where),
    )


class _Reader:
    """Collects every problem instead of stopping at the first, as form validation does."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def mapping(self, value: object, where: str) -> Mapping[str, Any]:
        if isinstance(value, Mapping):
            return value
        self.problems.append(f"{where or 'form'}: an object is required")
        return {}

    def items(self, value: object, where: str) -> list[object]:
        if isinstance(value, list):
            return value
        self.problems.append(f"{where}: a list is required")
        return []

    def text(
        self, data: Mapping[str, Any], key: str, where: str = "", *, required: bool = True
    ) -> str:
        value = data.get(key, None if required else "")
        if isinstance(value, str):
            return value
        self.problems.append(f"{_path(where, key)}: a string is required")
        return ""

    def flag(self, data: Mapping[str, Any], key: str) -> bool:
        value = data.get(key)
        if isinstance(value, bool):
            return value
        self.problems.append(f"{key}: true or false is required")
        return False

    def choice(self, data: Mapping[str, Any], key: str, kind: type[_K], where: str = "") -> _K:
        value = data.get(key)
        try:
            return kind(str(value)) if isinstance(value, str) else kind("")
        except ValueError:
            allowed = ", ".join(str(member) for member in kind)
            self.problems.append(f"{_path(where, key)}: one of {allowed} is required")
            return next(iter(kind))

    def day(self, data: Mapping[str, Any], key: str, where: str) -> date | None:
        value = data.get(key)
        if value is None:
            return None
        try:
            return date.fromisoformat(value) if isinstance(value, str) else _bad()
        except ValueError:
            self.problems.append(f"{_path(where, key)}: an ISO date (YYYY-MM-DD) or null")
            return None


def _bad() -> date:
    raise ValueError


def _path(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


# Stored state of the aggregate


def schedule_to_dict(schedule: ServiceSchedule) -> dict[str, str]:
    """The deadlines fixed at receipt, as ISO strings."""
    return {
        "received_at": schedule.received_at.isoformat(),
        "registration_day": schedule.registration_day.isoformat(),
        "registration_due": schedule.registration_due.isoformat(),
        "completeness_check_due": schedule.completeness_check_due.isoformat(),
        "hearing_notice_due": schedule.hearing_notice_due.isoformat(),
        "service_term_due": schedule.service_term_due.isoformat(),
    }


def schedule_from_dict(data: Mapping[str, str]) -> ServiceSchedule:
    """The schedule as stored."""
    return ServiceSchedule(
        received_at=datetime.fromisoformat(data["received_at"]),
        registration_day=date.fromisoformat(data["registration_day"]),
        registration_due=datetime.fromisoformat(data["registration_due"]),
        completeness_check_due=datetime.fromisoformat(data["completeness_check_due"]),
        hearing_notice_due=datetime.fromisoformat(data["hearing_notice_due"]),
        service_term_due=datetime.fromisoformat(data["service_term_due"]),
    )


def deadline_to_dict(deadline: StageDeadline) -> dict[str, str | None]:
    """One stage deadline with its settlement."""
    return {
        "stage": str(deadline.stage),
        "due": deadline.due.isoformat(),
        "settled_at": deadline.settled_at.isoformat() if deadline.settled_at else None,
        "outcome": str(deadline.outcome) if deadline.outcome else None,
    }


def deadline_from_dict(data: Mapping[str, str | None]) -> StageDeadline:
    """A stage deadline as stored."""
    settled, outcome = data.get("settled_at"), data.get("outcome")
    return StageDeadline(
        stage=Stage(str(data["stage"])),
        due=datetime.fromisoformat(str(data["due"])),
        settled_at=datetime.fromisoformat(settled) if settled else None,
        outcome=StageOutcome(outcome) if outcome else None,
    )


def reasons_to_dict(reasons: RefusalReasons) -> dict[str, Any]:
    """Cited grounds and motivation."""
    return {"grounds": [int(g) for g in reasons.grounds], "motivation": reasons.motivation}


def reasons_from_dict(data: Mapping[str, Any]) -> RefusalReasons:
    """Reasons as stored."""
    return RefusalReasons.of(data["grounds"], data["motivation"])


def clearances_to_list(clearances: tuple[GroundClearance, ...]) -> list[dict[str, Any]]:
    """The examiner's records on reported grounds 3-4 as stored with the application."""
    return [c.to_canonical_dict() for c in clearances]


def clearances_from_list(data: list[Mapping[str, Any]]) -> tuple[GroundClearance, ...]:
    """The records as stored; read back exactly, not validated again."""
    return tuple(
        GroundClearance(
            ground=RefusalGround(int(item["ground"])),
            reason=str(item["reason"]),
            examiner_name=str(item["examiner"]["name"]),
            examiner_iin=str(item["examiner"]["iin"]),
            recorded_at=datetime.fromisoformat(str(item["recorded_at"])),
        )
        for item in data
    )


def problem_from_dict(data: Mapping[str, str]) -> Problem:
    """A problem as stored or cited."""
    return Problem(ProblemCode(data["code"]), data["field"], data.get("detail", ""))


@dataclass(frozen=True, slots=True)
class EventRecord:
    """An event flattened for the history table and the monitoring feed."""

    kind: str
    at: datetime
    status: str
    actor_role: str
    actor_name: str
    actor_iin: str
    stage_deadline: datetime | None
    late: bool
    details: dict[str, Any]


_COMMON = frozenset(
    {"application_number", "applicant_id", "at", "actor", "status", "stage_deadline", "late"}
)


def event_record(event: ApplicationEvent) -> EventRecord:
    """The event's own fields as JSON values; documents by their canonical form."""
    details: dict[str, Any] = {}
    for field in fields(event):
        if field.name not in _COMMON:
            details[field.name] = _json_value(getattr(event, field.name))
    return EventRecord(
        kind=event_kind(event),
        at=event.at,
        status=str(event.status),
        actor_role=str(event.actor.role),
        actor_name=event.actor.name,
        actor_iin=event.actor.iin,
        stage_deadline=event.stage_deadline,
        late=event.late,
        details=details,
    )


def _json_value(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, RefusalReasons):
        return reasons_to_dict(value)
    to_dict = getattr(value, "to_canonical_dict", None)
    if callable(to_dict):
        return to_dict()
    return value


def event_kind(event: ApplicationEvent) -> str:
    """The event's name as history and the stage log spell it: `PermitIssued` → `permit_issued`."""
    name = type(event).__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")

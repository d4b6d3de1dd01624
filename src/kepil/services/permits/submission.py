"""Rules §3-§4: an EDS-signed Appendix 2 form with its attachments becomes an application."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from kepil.domain.auth import Principal
from kepil.domain.calendar import to_almaty
from kepil.domain.permits import Actor, Application, ApplicationForm, PermitRole
from kepil.domain.permits.app2 import stale_statements
from kepil.domain.permits.codec import FormDecodingError, form_from_dict
from kepil.services.errors import ConflictError, InvalidInputError
from kepil.services.messagebus import Command
from kepil.services.permits.context import PermitContext
from kepil.services.permits.court_checks import FILING, ask_courts, plain, with_check
from kepil.services.permits.officials import require_signing_right
from kepil.services.permits.ports import AlreadyStored, StoredApplication, StoredFile
from kepil.services.permits.signed_acts import use_act, verify_act
from kepil.services.unit_of_work import UnitOfWork

_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One uploaded attachment as the client sent it."""

    file_name: str
    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Submission:
    """The application's number; `created` is False when a retried request was recognised."""

    number: str
    created: bool


@dataclass(frozen=True, slots=True)
class SubmitApplication(Command[Submission]):
    """File an EDS-signed Appendix 2 form with its attachments (Rules §3)."""

    principal: Principal
    signed_form: bytes
    files: tuple[UploadedFile, ...]
    idempotency_key: str


def submit_application(
    command: SubmitApplication, uow: UnitOfWork, context: PermitContext
) -> Submission:
    """Verify the signature and the files, ask the state systems (§4), register the arrival.

    The signature's revocation check and the state systems are asked outside any database
    transaction: a slow OCSP responder or e-gov gateway holds no connection or lock.
    """
    if not _KEY.match(command.idempotency_key):
        raise InvalidInputError(
            "invalid_idempotency_key", "Idempotency-Key must be 1-128 printable ASCII characters"
        )
    fingerprint = _fingerprint(command)
    with uow:
        replayed = _replayed(uow, command, fingerprint)
    if replayed is not None:
        return replayed
    now = context.clock.now()
    act = verify_act(
        command.signed_form, command.principal, context.verifier, now, read_form, "form"
    )
    form = act.payload
    require_signing_right(act.signer, form.applicant_identifier)
    _require_current_statements(form, context)
    files = _match_files(form, command.files, context)
    facts = _state_facts(form, act.signer, now, context)
    with uow:
        # The same request may have been filed while we asked the outside world.
        replayed = _replayed(uow, command, fingerprint)
        if replayed is not None:
            return replayed
        year = to_almaty(now).year
        number = f"APP-{year}-{uow.numbers.next(f'application-{year}'):06d}"
        actor = Actor.from_principal(act.signer, PermitRole.APPLICANT)
        application = Application.submit(number, form, actor, now, context.calendar)
        uow.applications.add(StoredApplication(application, facts, command.signed_form, 1), files)
        events = application.pull_events()
        uow.applications.record_events(events, command.signed_form)
        uow.emit(*events)
        try:
            uow.idempotency.put(
                command.principal.iin, command.idempotency_key, fingerprint, number, now
            )
        except AlreadyStored:
            # A twin with this key was filed while we worked: answer as it was answered.
            return _twin_of(uow, command, fingerprint)
        use_act(uow, act, "form", number, now)
        uow.commit()
        return Submission(number, created=True)


def _require_current_statements(form: ApplicationForm, context: PermitContext) -> None:
    """App.2: the applicant signs the form's words as shown now, in the language filed in."""
    stale = stale_statements(form, context.provider.genitive)
    if stale:
        raise InvalidInputError(
            "stale_statement",
            f"the signed text of {', '.join(stale)} is not the current text of the App.2 form "
            f"in {form.language or 'a known language (kk or ru)'}; reload the form and sign again",
            [
                {"field": f"statements.{key}", "problem": "missing or not the current text"}
                for key in stale
            ],
        )


def _twin_of(uow: UnitOfWork, command: SubmitApplication, fingerprint: str) -> Submission:
    replayed = _replayed(uow, command, fingerprint)
    if replayed is None:  # the store only reports a twin that committed; never seen here
        raise ConflictError("concurrent_request", "a request with this key is being filed")
    return replayed


def _replayed(uow: UnitOfWork, command: SubmitApplication, fingerprint: str) -> Submission | None:
    known = uow.idempotency.get(command.principal.iin, command.idempotency_key)
    if known is None:
        return None
    if known[0] != fingerprint:
        raise ConflictError(
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request; use a new key",
        )
    return Submission(known[1], created=False)


def _fingerprint(command: SubmitApplication) -> str:
    digest = hashlib.sha256(command.signed_form)
    for upload in command.files:
        digest.update(hashlib.sha256(upload.content).digest())
        digest.update(upload.file_name.encode() + b"\0" + upload.media_type.encode() + b"\0")
    return digest.hexdigest()


def read_form(content: bytes) -> ApplicationForm:
    """The signed bytes as an Appendix 2 form, or InvalidInputError naming every problem."""
    try:
        data = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInputError(
            "invalid_form", f"the signed content is not JSON: {error}"
        ) from None
    try:
        return form_from_dict(data)
    except FormDecodingError as error:
        details = [{"field": p.split(":")[0], "problem": p} for p in error.problems]
        raise InvalidInputError(
            "invalid_form", "the signed form is not an Appendix 2 form", details
        ) from None


def _match_files(
    form: ApplicationForm, uploads: tuple[UploadedFile, ...], context: PermitContext
) -> list[StoredFile]:
    """Every declared attachment uploaded once, byte for byte; nothing undeclared."""
    limits = context.limits
    problems: list[dict[str, Any]] = []
    if len(uploads) > limits.max_files:
        problems.append({"field": "files", "problem": f"more than {limits.max_files} files"})
    total = sum(len(upload.content) for upload in uploads)
    if total > limits.max_total_bytes:
        problems.append(
            {"field": "files", "problem": f"{total} bytes in all; limit {limits.max_total_bytes}"}
        )
    declared = {attachment.sha256: attachment for attachment in form.attachments}
    stored: dict[str, StoredFile] = {}
    reported: set[str] = set()  # declared files whose upload is already wrong: said once
    for upload in uploads:
        where = f"files[{upload.file_name}]"
        if len(upload.content) > limits.max_file_bytes:
            problems.append(
                {"field": where, "problem": f"larger than {limits.max_file_bytes} bytes"}
            )
            continue
        if upload.media_type not in limits.media_types:
            allowed = ", ".join(sorted(limits.media_types))
            problems.append(
                {"field": where, "problem": f"type {upload.media_type} not accepted ({allowed})"}
            )
            continue
        sha = hashlib.sha256(upload.content).hexdigest()
        attachment = declared.get(sha)
        if attachment is None:
            problems.append({"field": where, "problem": "not listed in the signed form"})
        elif attachment.media_type != upload.media_type or attachment.size != len(upload.content):
            reported.add(sha)
            problems.append(
                {"field": where, "problem": "size or type differs from the signed form"}
            )
        elif sha in stored:
            problems.append({"field": where, "problem": "uploaded twice"})
        else:
            stored[sha] = StoredFile(
                sha, str(attachment.kind), attachment.file_name, upload.media_type, upload.content
            )
    for sha, attachment in declared.items():
        if sha not in stored and sha not in reported:
            problems.append(
                {"field": f"attachments[{attachment.file_name}]", "problem": "not uploaded"}
            )
    if problems:
        raise InvalidInputError(
            "attachments_mismatch",
            "the uploaded files do not match the attachments the form lists",
            problems,
        )
    return list(stored.values())


def _state_facts(
    form: ApplicationForm, signer: Principal, now: datetime, context: PermitContext
) -> dict[str, Any]:
    """What the state systems say (Rules §4), kept with the application for the examiner."""
    today = to_almaty(now).date()
    person = context.egov.person(signer.iin)
    business = context.egov.business(form.applicant_identifier)
    check = ask_courts(form.applicant_identifier, FILING, now, today, context)
    filed = {
        "checked_on": today.isoformat(),
        "person": plain(asdict(person)) if person else None,
        "business": plain(asdict(business)) if business else None,
        "court_decisions": check["court_decisions"],
        # App.1 §10 items 3-4 follow from the court records; the examiner decides (§8).
        "suggested_grounds": check["grounds"],
    }
    # The first answer of the §4 history; the permit's draft and signing ask again.
    return with_check(filed, check)

"""Signed acts a person holds that bear no public number: the §8 notice of the preliminary
decision and its hearing, and the decisions on a complaint.

They are kept as the CMS stored with the history line they caused; the bytes the official
signed ride inside it. Their recipient (and the officials who see the case) get them as PDFs,
and anyone holding one checks it by the SHA-256 of those signed bytes together with the case
it belongs to: the case bounds the search to one history, the digest makes the address
unguessable, and nothing is answered unless both match.

An act is only ever taken from the history line its step caused (the kind that action
produces, an official's line) and only when its CMS's signer is that line's official: the
signed bytes alone prove nothing, since anyone may sign JSON that says it is a notice (an
applicant's own signed form with an `action` key is stored in the same history).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from kepil.domain.calendar import to_almaty
from kepil.services.errors import NotFoundError
from kepil.services.permits.views.applications import visible
from kepil.services.permits.views.viewer import Viewer
from kepil.services.unit_of_work import UnitOfWork
from kepil.signing.certificates import accept_any_number, parse_certificate
from kepil.signing.cms_load import load_cms
from kepil.signing.cms_signer_info import candidate_certificates
from kepil.signing.cms_verify import encapsulated_content
from kepil.signing.errors import SigningError

# What an act does, by the history line its step causes → the signed `action` it carries: the
# §8 notice (and the hearing set or moved later), the steps that decide a complaint. Other
# signed steps (submit, register, start review) are not notices.
NOTICE_KINDS: Final = {
    "preliminary_refusal_issued": "issue_preliminary_refusal",
    "hearing_scheduled": "schedule_hearing",
    "hearing_moved": "schedule_hearing",
}
COMPLAINT_KINDS: Final = {
    "complaint_satisfied_by_provider": "satisfy",
    "complaint_forwarded": "forward",
    "complaint_upheld": "uphold",
    "complaint_rejected": "reject",
}
# The key of the case each history's acts name in their signed bytes.
APPLICATION_KEY: Final = "application_number"
COMPLAINT_KEY: Final = "complaint_number"
# Only an official's step issues an act; a person's own lines (their form, their complaint)
# never do, whatever their signed JSON says.
_NOT_OFFICIAL: Final = frozenset({"applicant", ""})


@dataclass(frozen=True, slots=True)
class _Line:
    """What a history line says of the act it may carry: its kind, moment and official."""

    kind: str
    at: datetime
    actor_role: str
    actor_iin: str


@dataclass(frozen=True, slots=True)
class ActView:
    """One signed act: the case, what it does, when it took effect, its bytes and CMS."""

    case: str
    action: str
    at: datetime
    content: bytes
    signature: bytes
    sha256: str

    @property
    def name(self) -> str:
        """The act's file name inside its PDF and on download."""
        return act_name(self.case, self.sha256)


@dataclass(frozen=True, slots=True)
class ActCheck:
    """A genuine act, as anyone may learn it: what it does and the day, nothing of whom."""

    case: str
    action: str
    issued_on: date
    issued_at: datetime
    sha256: str


def act_name(case: str, sha256: str) -> str:
    """An act's name inside its PDF (it has no number): its case and a digest prefix, so that
    `kepil doc render` names it as the service does and draws the same bytes."""
    return f"{case}-{sha256[:12]}"


def application_acts(
    uow: UnitOfWork, who: Viewer, number: str, provider_bin: str = ""
) -> tuple[ActView, ...]:
    """The §8 notices of a case the viewer may read, oldest first; not found otherwise."""
    visible(uow.applications.get(number), number, who)
    return _application_acts(uow, number, provider_bin)


def complaint_acts(
    uow: UnitOfWork, who: Viewer, number: str, provider_bin: str = ""
) -> tuple[ActView, ...]:
    """The decisions on a complaint the viewer may read, oldest first; not found otherwise."""
    stored = uow.complaints.get(number)
    if stored is None or not who.may_see(stored.complaint.complainant):
        raise NotFoundError("complaint_not_found", f"no complaint {number}")
    return _complaint_acts(uow, number, provider_bin)


def one_act(acts: tuple[ActView, ...], sha256: str) -> ActView:
    """The act with this digest among those a viewer may read, or not found."""
    for act in acts:
        if act.sha256 == sha256:
            return act
    raise NotFoundError("act_not_found", f"no signed act {sha256}")


def check_act(uow: UnitOfWork, case: str, sha256: str, provider_bin: str = "") -> ActCheck | None:
    """The act with these signed bytes' digest in this case's history, or None (anyone asks).

    `provider_bin` (KEPIL_PROVIDER_BIN), when set, is the BIN the signer's certificate names."""
    if uow.applications.get(case) is not None:
        acts = _application_acts(uow, case, provider_bin)
    elif uow.complaints.get(case) is not None:
        acts = _complaint_acts(uow, case, provider_bin)
    else:
        return None
    for act in acts:
        if act.sha256 == sha256:
            return ActCheck(act.case, act.action, to_almaty(act.at).date(), act.at, act.sha256)
    return None


# History lines are only ever appended, in id order: should a line be added between the two
# reads (two statements may see two snapshots under READ COMMITTED), the lists still agree on
# their common prefix, so they are zipped without `strict` and the newer tail is left out.
def _application_acts(uow: UnitOfWork, number: str, provider_bin: str) -> tuple[ActView, ...]:
    lines = [
        _Line(r.kind, r.at, r.actor_role, r.actor_iin) for r in uow.applications.history(number)
    ]
    signatures = uow.applications.act_signatures(number)
    pairs = zip(lines, signatures, strict=False)
    return _acts(number, APPLICATION_KEY, pairs, NOTICE_KINDS, provider_bin)


def _complaint_acts(uow: UnitOfWork, number: str, provider_bin: str) -> tuple[ActView, ...]:
    lines = [_Line(r.kind, r.at, r.actor_role, r.actor_iin) for r in uow.complaints.history(number)]
    signatures = uow.complaints.act_signatures(number)
    # A decision may name the application too: the history it lives in says which key is its
    # case, so it is matched by its complaint number.
    pairs = zip(lines, signatures, strict=False)
    return _acts(number, COMPLAINT_KEY, pairs, COMPLAINT_KINDS, provider_bin)


def _acts(
    case: str,
    key: str,
    lines: zip[tuple[_Line, bytes | None]],
    kinds: dict[str, str],
    provider_bin: str,
) -> tuple[ActView, ...]:
    found: dict[str, ActView] = {}
    for line, cms in lines:
        action = kinds.get(line.kind)
        if cms is None or action is None or line.actor_role in _NOT_OFFICIAL:
            continue
        content = encapsulated_content(cms)
        body = _body(content) if content is not None else None
        if content is None or body is None:
            continue
        # One act may cause several lines (a step and its stage); it is one document.
        digest = hashlib.sha256(content).hexdigest()
        if (
            body.get("action") == action
            and body.get(key) == case
            and digest not in found
            and _signed_by(cms, line.actor_iin, provider_bin)
        ):
            found[digest] = ActView(case, action, line.at, content, cms, digest)
    return tuple(found.values())


def _signed_by(cms: bytes, iin: str, provider_bin: str) -> bool:
    """One signer, and every certificate its identifier could name is of this official (and of
    the state body, when its BIN is configured). The CMS was verified when the step was taken;
    this only ties the stored bytes to the line, so a look-alike certificate cannot matter."""
    try:
        loaded = load_cms(cms)
    except SigningError:
        return False
    if len(loaded.signers) != 1 or not iin:
        return False
    candidates = candidate_certificates(loaded.signers[0], loaded.certificates)
    if not candidates:
        return False
    for certificate in candidates:
        try:
            signer = parse_certificate(certificate, accept_any_number)
        except (SigningError, ValueError):
            return False
        if signer.iin != iin or (provider_bin and signer.bin != provider_bin):
            return False
    return True


def _body(content: bytes) -> dict[str, object] | None:
    try:
        body = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    return body if isinstance(body, dict) else None

"""Signed acts a person holds that bear no public number: the §8 notice of the preliminary
decision and its hearing, and the decisions on a complaint.

They are kept as the CMS stored with the history line they caused; the bytes the official
signed ride inside it. Their recipient (and the officials who see the case) get them as PDFs,
and anyone holding one checks it by the SHA-256 of those signed bytes together with the case
it belongs to: the case bounds the search to one history, the digest makes the address
unguessable, and nothing is answered unless both match.
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
from kepil.signing.cms_verify import encapsulated_content

# What an act does, by its signed `action`: the §8 notice (and the hearing set later), the
# steps that decide a complaint. Other signed steps (register, start review) are not notices.
NOTICE_ACTIONS: Final = frozenset({"issue_preliminary_refusal", "schedule_hearing"})
COMPLAINT_ACTIONS: Final = frozenset({"satisfy", "uphold", "reject", "forward"})
# The key of the case each kind of act names in its signed bytes.
CASE_KEYS: Final = ("application_number", "complaint_number")


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


def act_case(content: bytes) -> str | None:
    """The case an act's signed bytes name (an application's or a complaint's number)."""
    body = _body(content)
    for key in CASE_KEYS:
        value = body.get(key) if body is not None else None
        if isinstance(value, str) and value:
            return value
    return None


def application_acts(uow: UnitOfWork, who: Viewer, number: str) -> tuple[ActView, ...]:
    """The §8 notices of a case the viewer may read, oldest first; not found otherwise."""
    visible(uow.applications.get(number), number, who)
    return _application_acts(uow, number)


def complaint_acts(uow: UnitOfWork, who: Viewer, number: str) -> tuple[ActView, ...]:
    """The decisions on a complaint the viewer may read, oldest first; not found otherwise."""
    stored = uow.complaints.get(number)
    if stored is None or not who.may_see(stored.complaint.complainant):
        raise NotFoundError("complaint_not_found", f"no complaint {number}")
    return _complaint_acts(uow, number)


def one_act(acts: tuple[ActView, ...], sha256: str) -> ActView:
    """The act with this digest among those a viewer may read, or not found."""
    for act in acts:
        if act.sha256 == sha256:
            return act
    raise NotFoundError("act_not_found", f"no signed act {sha256}")


def check_act(uow: UnitOfWork, case: str, sha256: str) -> ActCheck | None:
    """The act with these signed bytes' digest in this case's history, or None (anyone asks)."""
    if uow.applications.get(case) is not None:
        acts = _application_acts(uow, case)
    elif uow.complaints.get(case) is not None:
        acts = _complaint_acts(uow, case)
    else:
        return None
    for act in acts:
        if act.sha256 == sha256:
            return ActCheck(act.case, act.action, to_almaty(act.at).date(), act.at, act.sha256)
    return None


# History lines are only ever appended, in id order: should a line be added between the two
# reads (two statements may see two snapshots under READ COMMITTED), the lists still agree on
# their common prefix, so they are zipped without `strict` and the newer tail is left out.
def _application_acts(uow: UnitOfWork, number: str) -> tuple[ActView, ...]:
    moments = [record.at for record in uow.applications.history(number)]
    signatures = uow.applications.act_signatures(number)
    return _acts(number, zip(moments, signatures, strict=False), NOTICE_ACTIONS)


def _complaint_acts(uow: UnitOfWork, number: str) -> tuple[ActView, ...]:
    moments = [record.at for record in uow.complaints.history(number)]
    signatures = uow.complaints.act_signatures(number)
    return _acts(number, zip(moments, signatures, strict=False), COMPLAINT_ACTIONS)


def _acts(
    case: str, lines: zip[tuple[datetime, bytes | None]], actions: frozenset[str]
) -> tuple[ActView, ...]:
    found: dict[str, ActView] = {}
    for at, cms in lines:
        content = encapsulated_content(cms) if cms is not None else None
        if cms is None or content is None:
            continue
        body = _body(content)
        action = body.get("action") if body is not None else None
        # One act may cause several lines (a step and its stage); it is one document.
        digest = hashlib.sha256(content).hexdigest()
        if action in actions and act_case(content) == case and digest not in found:
            found[digest] = ActView(case, str(action), at, content, cms, digest)
    return tuple(found.values())


def _body(content: bytes) -> dict[str, object] | None:
    try:
        body = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    return body if isinstance(body, dict) else None

"""`PermitViews`: every read model of the permit wing behind one object, wired by bootstrap.

Each method reads in short units of work (one, where the answer must be consistent: a case with
its history), judges time by the injected clock and answers a view; what a person may see is
decided here, so a router or a page cannot forget it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from kepil.domain.auth import Principal
from kepil.domain.clock import Clock
from kepil.domain.monitoring import ChainCheck, ChainedEntry
from kepil.domain.permits import PermitRole
from kepil.domain.registry import RegistryEntry
from kepil.services.permits import decisions, monitoring, officials, rule_changes
from kepil.services.permits.complaint_ports import RuleChange
from kepil.services.permits.context import AttachmentLimits, PermitContext
from kepil.services.permits.ports import Notification, RegistryQuery, StoredFile
from kepil.services.permits.sla import SlaSummary, sla_summary
from kepil.services.permits.views import (
    acts,
    applications,
    cabinet,
    check,
    complaints,
    contact_centre,
    dashboard,
    hearing,
    registry,
)
from kepil.services.permits.views import desk as desk_views
from kepil.services.permits.views.acts import ActCheck, ActView
from kepil.services.permits.views.applications import (
    ApplicationPage,
    ApplicationView,
    DocumentView,
)
from kepil.services.permits.views.cabinet import Cabinet, Deadline, StageDue
from kepil.services.permits.views.check import DocumentCheck
from kepil.services.permits.views.complaints import ComplaintDesk, ComplaintPage, ComplaintView
from kepil.services.permits.views.desk import Desk, DeskCase
from kepil.services.permits.views.hearing import HearingLimitsView
from kepil.services.permits.views.registry import RegistryEntryView, RegistryPage
from kepil.services.permits.views.rule_changes import (
    RuleChangeDuties,
    RuleChangePage,
    RuleChangeView,
    overdue_view,
    rule_change_duties,
    rule_change_view,
)
from kepil.services.permits.views.viewer import Viewer, in_own_cabinet, viewer_in
from kepil.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class PermitViews:
    """The permit wing's read side for one application: its units of work, clock and context."""

    uow: Callable[[], UnitOfWork]
    clock: Clock
    context: PermitContext

    def upload_limits(self) -> AttachmentLimits:
        """What one submission may upload, so the edge refuses a huge file before reading it."""
        return self.context.limits

    def application(
        self, principal: Principal, number: str, *, own: bool = False
    ) -> ApplicationView:
        """One case, if the principal may read it (with `own`, only if it is theirs)."""
        with self.uow() as uow:
            who = _reader(uow, principal, own=own)
            return applications.application_view(uow, who, number, self.clock.now())

    def applications(
        self,
        principal: Principal,
        status: str | None,
        limit: int,
        offset: int,
        *,
        own: bool = False,
    ) -> ApplicationPage:
        """A page of cases: all for officials, one's own for applicants (with `own`: theirs)."""
        with self.uow() as uow:
            who = _reader(uow, principal, own=own)
            return applications.application_page(uow, who, status, limit, offset)

    def hearing_limits(self, principal: Principal, number: str) -> HearingLimitsView | None:
        """Rules §8 limits for setting or moving the case's hearing now, for a page to show
        before the official acts; None when its status has no step that sets the hearing."""
        with self.uow() as uow:
            who = viewer_in(uow, principal)
            return hearing.hearing_limits_view(uow, who, number, self.clock.now())

    def attachment(
        self, principal: Principal, number: str, sha256: str, *, own: bool = False
    ) -> StoredFile:
        """An attached file's bytes, if the principal may read the case (with `own`: theirs)."""
        with self.uow() as uow:
            who = _reader(uow, principal, own=own)
            return applications.attachment_file(uow, who, number, sha256)

    def document(self, principal: Principal, number: str, *, own: bool = False) -> DocumentView:
        """A signed result document, for its recipient or an official (with `own`: recipient)."""
        with self.uow() as uow:
            return applications.document_view(uow, _reader(uow, principal, own=own), number)

    def draft(self, command: decisions.DocumentDraft) -> bytes:
        """The exact bytes of a result document the head would sign now."""
        return decisions.draft_document(command, self.uow(), self.context)

    def cabinet(self, principal: Principal, limit: int) -> list[Notification]:
        """The principal's cabinet messages, newest first."""
        with self.uow() as uow:
            return applications.cabinet_items(uow, viewer_in(uow, principal), limit)

    def cabinet_overview(
        self, principal: Principal, page: tuple[int, int], shown: tuple[int, int]
    ) -> Cabinet:
        """The cabinet in one transaction: a page (limit, offset) of one's applications, and the
        newest of one's messages and own complaints (how many of each)."""
        with self.uow() as uow:
            who = in_own_cabinet(principal)
            now, calendar = self.clock.now(), self.context.calendar
            return cabinet.cabinet(uow, who, page, shown, now, calendar)

    def current_stage(self, deadlines: Iterable[Deadline]) -> StageDue | None:
        """The stage a case waits on now, among its deadlines, with working days left."""
        return cabinet.current_stage(deadlines, self.clock.now(), self.context.calendar)

    def duties(self, principal: Principal) -> frozenset[PermitRole]:
        """The Ministry duties the principal holds now (none for an applicant), with the head's
        while an acting period of theirs covers this moment (Rules §9)."""
        with self.uow() as uow:
            return officials.duties_at(principal, uow, self.clock.now())

    def answers_callers(self, principal: Principal) -> bool:
        """Whether the principal works in the contact centre."""
        with self.uow() as uow:
            return viewer_in(uow, principal).answers_callers

    def status_for_caller(
        self, principal: Principal, number: str, applicant_id: str
    ) -> contact_centre.StatusAnswer | None:
        """A case's status for the contact centre, given its number and applicant's IIN/BIN."""
        with self.uow() as uow:
            who = viewer_in(uow, principal)
            now = self.clock.now()
            calendar = self.context.calendar
            return contact_centre.status_for_caller(uow, who, number, applicant_id, now, calendar)

    def has_desk(self, principal: Principal) -> bool:
        """Whether the principal holds a Ministry duty (the header then links to /desk)."""
        with self.uow() as uow:
            return bool(viewer_in(uow, principal).roles)

    def desk(self, principal: Principal) -> Desk:
        """The official's queues, one per duty; ForbiddenError without a desk duty."""
        with self.uow() as uow:
            who = self._acting_viewer(uow, principal)
            return desk_views.desk(uow, who, self.clock.now(), self.context.calendar)

    def desk_case(self, principal: Principal, number: str) -> DeskCase:
        """A case as an official of the desk reads it, with the actions open to them now."""
        with self.uow() as uow:
            who = self._acting_viewer(uow, principal)
            return desk_views.desk_case(uow, who, number, self.clock.now(), self.context.calendar)

    def _acting_viewer(self, uow: UnitOfWork, principal: Principal) -> Viewer:
        # The workspace shows the head's queue and actions to whoever acts for the head now;
        # the service checks the period again at the moment it applies the act.
        return Viewer(principal, officials.duties_at(principal, uow, self.clock.now()))

    def desk_attachment(self, principal: Principal, number: str, sha256: str) -> StoredFile:
        """An attached file for an official of the desk."""
        with self.uow() as uow:
            who = viewer_in(uow, principal)
            desk_views.require_desk(who)
            return applications.attachment_file(uow, who, number, sha256)

    def desk_act(self, principal: Principal, number: str, index: int) -> bytes:
        """The CMS of the act behind a step of a case's history, for an official of the desk."""
        with self.uow() as uow:
            return desk_views.act_signature(uow, viewer_in(uow, principal), number, index)

    def check_document(self, number: str) -> DocumentCheck | None:
        """Whether a document of this number was issued here; a permit with its registry entry."""
        with self.uow() as uow:
            return check.check_document(uow, number, self.registry_day())

    def case_acts(
        self, principal: Principal, number: str, *, own: bool = False
    ) -> tuple[ActView, ...]:
        """A case's §8 notices, for its applicant (with `own`, only theirs) or an official."""
        with self.uow() as uow:
            return acts.application_acts(
                uow, _reader(uow, principal, own=own), number, self.context.provider.bin
            )

    def complaint_acts(
        self, principal: Principal, number: str, *, own: bool = False
    ) -> tuple[ActView, ...]:
        """A complaint's signed decisions, for its complainant or an official."""
        with self.uow() as uow:
            return acts.complaint_acts(
                uow, _reader(uow, principal, own=own), number, self.context.provider.bin
            )

    def check_act(self, case: str, sha256: str) -> ActCheck | None:
        """Whether this service issued, in this case, the act whose signed bytes hash so."""
        with self.uow() as uow:
            return acts.check_act(uow, case, sha256, self.context.provider.bin)

    def complaint(self, principal: Principal, number: str, *, own: bool = False) -> ComplaintView:
        """One complaint with its history, if the principal may read it (with `own`: theirs)."""
        with self.uow() as uow:
            who = _reader(uow, principal, own=own)
            return complaints.complaint_view(uow, who, number, self.clock.now())

    def complaint_desk(self, principal: Principal, number: str) -> ComplaintDesk:
        """A complaint for an official: terms, the steps allowed now and by whom, its case."""
        with self.uow() as uow:
            who = viewer_in(uow, principal)
            now, calendar = self.clock.now(), self.context.calendar
            return complaints.complaint_desk(uow, who, number, now, calendar)

    def desk_complaints(
        self, principal: Principal, status: str | None, limit: int, offset: int
    ) -> ComplaintPage:
        """A page of every complaint, for an official only (ForbiddenError otherwise)."""
        with self.uow() as uow:
            who = viewer_in(uow, principal)
            return complaints.desk_complaint_page(uow, who, status, limit, offset)

    def complaints(
        self, principal: Principal, status: str | None, limit: int, offset: int
    ) -> ComplaintPage:
        """A page of complaints: all for officials, one's own for applicants."""
        with self.uow() as uow:
            who = viewer_in(uow, principal)
            return complaints.complaint_page(uow, who, status, limit, offset)

    def registry_day(self) -> date:
        """The registry's day: Almaty's date now."""
        return registry.registry_day(self.clock)

    def registry_page(self, query: RegistryQuery) -> RegistryPage:
        """Entries matching the query, newest first, as they stand today."""
        with self.uow() as uow:
            return registry.registry_page(uow, query, self.registry_day())

    def registry_entry(self, registry_number: str) -> RegistryEntryView | None:
        """One entry with its history, or None."""
        with self.uow() as uow:
            found: RegistryEntry | None = uow.registry.get(registry_number)
        return None if found is None else registry.entry_view(found, self.registry_day())

    def registry_export(
        self, query: RegistryQuery, limit: int | None = None
    ) -> Iterator[RegistryEntryView]:
        """The matching entries from `query.offset` on, `limit` of them or all, page by page."""
        return registry.export_entries(self.uow, query, self.registry_day(), limit)

    def monitoring_feed(self, after: int, limit: int) -> list[ChainedEntry]:
        """The §10 stage log after `after` (readers are checked by require_monitoring_reader)."""
        return monitoring.feed(after, limit, self.uow())

    def require_monitoring_reader(self, principal: Principal) -> None:
        """ForbiddenError unless the principal may read the monitoring."""
        monitoring.require_reader(principal, self.uow())

    def monitoring_chain(self) -> ChainCheck:
        """Whether the stage log's hash chain is intact."""
        return monitoring.check_chain(self.uow())

    def monitoring_dashboard(self, principal: Principal) -> dashboard.Dashboard:
        """The §10 dashboard now, with the chain verified first: for officials only."""
        monitoring.require_reader(principal, self.uow())
        check = monitoring.check_chain(self.uow())
        chain = dashboard.ChainState(check, self.clock.now())
        with self.uow() as uow:
            return dashboard.dashboard(uow, self.clock.now(), self.context.calendar, chain)

    def sla(self) -> SlaSummary:
        """Open stages, overdue ones first, in working days."""
        return sla_summary(self.uow(), self.clock, self.context.calendar)

    def rule_changes(self, principal: Principal, limit: int, offset: int) -> RuleChangePage:
        """A page of rule versions with their notices, and every notice overdue now."""
        found, total = rule_changes.list_rule_changes(principal, limit, offset, self.uow())
        late = rule_changes.overdue_notices(principal, self.uow(), self.context)
        now = self.clock.now()
        with self.uow() as uow:
            names = {member.iin: member.name for member in uow.staff.all()}
        return RuleChangePage(
            items=[rule_change_view(change, now, names) for change in found],
            total=total,
            limit=limit,
            offset=offset,
            overdue=[overdue_view(notice) for notice in late],
        )

    def rule_change_duties(self, principal: Principal) -> RuleChangeDuties:
        """Whether the principal may read, record rule changes and confirm notices sent."""
        with self.uow() as uow:
            return rule_change_duties(viewer_in(uow, principal))

    def rule_change(self, change: RuleChange) -> RuleChangeView:
        """A version a command just recorded or updated, its notices judged now."""
        return rule_change_view(change, self.clock.now())

    def staff_table(self, principal: Principal) -> officials.StaffTable:
        """Every duty held and every acting period, for administrators only (ForbiddenError
        for anyone else)."""
        return officials.staff_table(principal, self.uow(), self.clock.now())


def _reader(uow: UnitOfWork, principal: Principal, *, own: bool) -> Viewer:
    """Who reads: in one's own cabinet (`own`) an applicant's eyes, else with one's duties."""
    return in_own_cabinet(principal) if own else viewer_in(uow, principal)

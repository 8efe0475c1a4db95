"""The outreach services: record a contact, link it to the case opened from it, read them.

:class:`OutreachServices` is a mixin of :class:`~wladna_core.casefile.CaseFile`
(``work.casefile``).  An outreach contact belongs to the body whose team made it: the members
of that body's casework team (case workers, supervisors, coordinators with the body among
theirs) see its contacts in full (:attr:`~wladna_core.access.View.FULL`) and record them;
everyone else sees nothing of them (:attr:`~wladna_core.access.View.NONE`), and is refused
exactly as for a contact that does not exist.  Linking a contact to a case also needs the full
view of the case.  Every write is audited, and every contact read.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from wladna_core.access import MEMBER_ROLES, Action, View
from wladna_core.casefile.base import CaseFileBase, changed
from wladna_core.casefile.outreach.contacts import OutreachContact
from wladna_core.casefile.outreach.kinds import OUTREACH
from wladna_core.errors import UnknownTerritory
from wladna_core.model import Case, TerritorialBody

if TYPE_CHECKING:
    from wladna_core.services import Outcome, _Work
    from wladna_core.storage import UnitOfWork

__all__ = ["OutreachServices"]


class OutreachServices(CaseFileBase):
    """The services of outreach contacts (a mixin of :class:`~wladna_core.casefile.CaseFile`)."""

    def _outreach_view(self, body_id: str) -> View:
        """Return the actor's view of the contacts of ``body_id``: full for its members."""
        member = (
            isinstance(body_id, str)
            and self.actor.has(MEMBER_ROLES)
            and body_id in self.actor.bodies
        )
        return View.FULL if member else View.NONE

    def _contact(
        self, uow: UnitOfWork, contact_id: str, action: Action
    ) -> tuple[OutreachContact, View]:
        """Return a contact of one of the actor's bodies; any other is refused as unknown."""
        contact = self._stored(uow, OutreachContact, contact_id, action)
        view = self._outreach_view(contact.body_id)
        if view is View.NONE:  # a contact of another body: as unseen as one that never was
            raise self._unseen(action, OutreachContact.__name__, contact_id)
        self._allow(action, contact, view)
        return contact, view

    def _linked_case(self, uow: UnitOfWork, case_id: str) -> Case:
        """Return the case to link, which the actor must see in full; refused alike otherwise."""
        case, _view = self._case_for(
            uow, case_id, Action.OUTREACH_RECORD, read=Action.OUTREACH_READ
        )
        return case

    def _outreach_filters(
        self,
        on_from: object,
        on_to: object,
        territory: object,
        agreed: object,
    ) -> None:
        """Refuse filters of the wrong type or value, naming the parameter, before any query.

        Every store then answers alike: a filter the memory store would ignore and a SQL store
        refuse is refused here first.
        """
        for name, day in (("on_from", on_from), ("on_to", on_to)):
            if day is not None and (not isinstance(day, date) or isinstance(day, datetime)):
                msg = f"outreach(): {name} must be a date or None, got {type(day).__name__}"
                raise TypeError(msg)
        if agreed is not None and not isinstance(agreed, bool):
            msg = f"outreach(): agreed must be True, False or None, got {type(agreed).__name__}"
            raise TypeError(msg)
        if territory is not None:
            if not isinstance(territory, str):
                kind = type(territory).__name__
                msg = f"outreach(): territory must be a territory code, got {kind}"
                raise TypeError(msg)
            try:
                self.wladna.store.gazetteer.get(territory)
            except UnknownTerritory as error:
                msg = f"outreach(): territory is not a known territory: {error}"
                raise ValueError(msg) from None
        if isinstance(on_from, date) and isinstance(on_to, date) and on_from > on_to:
            msg = (
                f"outreach(): on_from ({on_from.isoformat()}) is after on_to "
                f"({on_to.isoformat()}); give on_from on or before on_to"
            )
            raise ValueError(msg)

    def record_outreach(self, contact: OutreachContact) -> Outcome[OutreachContact]:
        """Record an outreach contact made by the team of one of the actor's bodies.

        A contact recorded with its ``case_id`` set is linked at once (the actor must see the
        case in full, as :meth:`link_outreach` requires).

        :raises AccessDenied: if the actor is not a member of the contact's body.
        :raises InvalidRecord: if a rule refuses the contact (``outreach.*``).
        :raises TypeError: if ``contact`` is not an :class:`OutreachContact`.
        """
        self._argument(contact, OutreachContact, "contact")

        def run(uow: UnitOfWork, work: _Work) -> OutreachContact:
            self._allow(Action.OUTREACH_RECORD, contact, self._outreach_view(contact.body_id))
            if contact.case_id is not None:
                self._linked_case(uow, contact.case_id)
            return self._add(uow, work, Action.OUTREACH_RECORD, contact)

        return self._write(run)

    def link_outreach(
        self, contact_id: str, case_id: str, *, expected_version: int | None = None
    ) -> Outcome[OutreachContact]:
        """Record that the case ``case_id`` was opened from the contact ``contact_id``.

        The case must be a case of the child met (rule ``outreach.case_of_another_child``,
        when the contact names a registered child), opened on the day of the contact or after
        it (``outreach.case_opened_before_contact``).  Linking again replaces the case.

        :param expected_version: the version of the contact the actor last read; a contact
            changed since is refused with :class:`~wladna_core.storage.ConcurrencyConflict`.
        :raises AccessDenied: if the actor does not see the contact, or the case in full (both
            refused as records that do not exist).
        """

        def run(uow: UnitOfWork, work: _Work) -> OutreachContact:
            contact, _view = self._contact(uow, contact_id, Action.OUTREACH_RECORD)
            self._linked_case(uow, case_id)
            self._at_version(contact, expected_version)
            linked = changed(contact, case_id=case_id)
            return self._update(uow, work, Action.OUTREACH_RECORD, linked)

        return self._write(run)

    def outreach_contact(self, contact_id: str) -> OutreachContact:
        """Return one outreach contact of one of the actor's bodies; the read is audited.

        :raises AccessDenied: if there is no such contact in the actor's bodies.
        """

        def run(uow: UnitOfWork, work: _Work) -> OutreachContact:
            contact, _view = self._contact(uow, contact_id, Action.OUTREACH_READ)
            self._audit_reads(work, Action.OUTREACH_READ, [contact])
            return contact

        return self._read(run)

    def outreach(
        self,
        body_id: str,
        *,
        on_from: date | None = None,
        on_to: date | None = None,
        territory: str | None = None,
        agreed: bool | None = None,
    ) -> list[OutreachContact]:
        """Return the outreach contacts of a body, oldest first; each read is audited.

        :param body_id: the body, one of the actor's.
        :param on_from: only contacts on or after this day.
        :param on_to: only contacts on or before this day.
        :param territory: only contacts in this territory (or inside it).
        :param agreed: only contacts where the child agreed (``True``) or did not (``False``).
        :raises AccessDenied: if the actor is not a member of the body (refused as a body that
            does not exist).
        :raises TypeError: if a filter is of the wrong type (a date of text, ``agreed="yes"``);
            the message names it.
        :raises ValueError: if ``territory`` is not a known territory code, or ``on_from`` is
            after ``on_to``; the message names the filter.
        """
        self._outreach_filters(on_from, on_to, territory, agreed)

        def run(uow: UnitOfWork, work: _Work) -> list[OutreachContact]:
            action = Action.OUTREACH_READ
            view = self._outreach_view(body_id)
            if view is View.NONE:
                raise self._unseen(action, TerritorialBody.__name__, str(body_id))
            self._stored(uow, TerritorialBody, body_id, action)
            query = OUTREACH.query(
                body_id=body_id, on_from=on_from, on_to=on_to, territory=territory, agreed=agreed
            )
            found: list[OutreachContact] = uow.repository(OutreachContact).find(query)
            contacts = sorted(found, key=lambda contact: (contact.on, contact.id))
            for contact in contacts:  # the wladna_authorize plug-ins see each contact
                self._allow(action, contact, view)
            self._audit_reads(work, action, contacts)
            return contacts

        return self._read(run)

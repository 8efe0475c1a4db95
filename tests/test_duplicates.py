"""Finding the same child twice in the casework: the warning, the review queue, merge, dismiss.

The scenario of the programme: a child met by a street outreach team in Salé, seen again by a
school in Rabat and taken in by a centre in Kénitra is registered three times, by three bodies,
in two scripts.  Every test runs on the memory store, a SQLite file and PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import attrs
import pytest

from casework import STORES, TODAY, Deployment, deployed
from wladna_core import Actor, Role, Wladna
from wladna_core.access import NOT_IN_SCOPE, AccessDenied
from wladna_core.duplicates import (
    DuplicatePair,
    PairStatus,
    candidate_pairs,
    candidates,
    child_ids,
)
from wladna_core.duplicates.review import POSSIBLE_DUPLICATE_MESSAGE, possible_duplicate_warning
from wladna_core.errors import SettingsError
from wladna_core.messages import render
from wladna_core.model import (
    BodyKind,
    Child,
    Consent,
    ConsentGiver,
    Family,
    FamilyMember,
    Identification,
    IdentificationSource,
    Relation,
    ServiceType,
    Sex,
    TerritorialBody,
)
from wladna_core.storage import CaseQuery, ReferralQuery
from wladna_core.storage.builtin_kinds import CHILD, FAMILY
from wladna_core.storage.kinds import Filter, Match
from wladna_core.workflow import TransitionRefused

if TYPE_CHECKING:
    from pathlib import Path

    from wladna_core.model import Case
    from wladna_core.services import Outcome

BORN = date(2013, 5, 4)


@pytest.fixture(params=STORES)
def d(request: pytest.FixtureRequest, tmp_path: Path) -> Deployment:
    with deployed(request.param, tmp_path) as deployment:
        yield deployment


def kenitra(d: Deployment) -> tuple[TerritorialBody, Actor]:
    """A reception centre (CAPE) in Kénitra, and its case worker."""
    centre = (
        d.as_(d.admin)
        .register_body(TerritorialBody(name="CAPE Kénitra", kind=BodyKind.CAPE, territory="MA-KEN"))
        .record
    )
    return centre, Actor("worker.kenitra", {Role.CASE_WORKER}, {centre.id})


def register(
    d: Deployment,
    actor: Actor,
    body: TerritorialBody,
    source: IdentificationSource,
    **names: object,
) -> tuple[Outcome[Child], Case]:
    """Register a child and open its case at ``body``, as ``actor``."""
    services = d.as_(actor)
    fields: dict[str, object] = {"sex": Sex.MALE, "birth_date": BORN, "residence": body.territory}
    fields.update(names)
    outcome = services.register_child(Child(**fields))  # type: ignore[arg-type]
    consent = Consent(
        recorded_on=TODAY, given_by=ConsentGiver.CAREGIVER, services=True, sharing=True
    )
    case = services.open_case(
        child_id=outcome.record.id,
        body_id=body.id,
        identification=Identification(source, TODAY),
        consent=consent,
        on=TODAY,
    ).record
    return outcome, case


def three_registrations(d: Deployment) -> tuple[list[Outcome[Child]], list[Case], Actor]:
    centre, kenitra_worker = kenitra(d)
    sale, sale_case = register(
        d, d.worker, d.upe, IdentificationSource.OUTREACH,
        given_name_ar="محمد", family_name_ar="العمراني",
    )  # fmt: skip
    rabat, rabat_case = register(
        d, d.outsider, d.rabat, IdentificationSource.SCHOOL,
        given_name="Mohamed", family_name="El Amrani",
    )  # fmt: skip
    kenitra_outcome, kenitra_case = register(
        d, kenitra_worker, centre, IdentificationSource.OUTREACH,
        given_name="Mohammed", family_name="Amrani",
    )  # fmt: skip
    return [sale, rabat, kenitra_outcome], [sale_case, rabat_case, kenitra_case], kenitra_worker


def warnings_of(outcome: Outcome[Child]) -> list[str]:
    return [warning.code for warning in outcome.warnings]


def test_three_registrations_of_one_child_in_two_scripts_give_one_warning_scoped_to_the_actor(
    d: Deployment,
) -> None:
    (sale, rabat, third), cases, _ = three_registrations(d)
    assert warnings_of(sale) == []
    assert sale.possible_duplicates == ()
    # Rabat's team is told of Salé's record by the body holding it, with no personal data.
    assert warnings_of(rabat) == ["child.possible_duplicate"]
    [match] = rabat.possible_duplicates
    assert match.child is None
    assert match.reasons == ()
    assert match.held_by == (d.upe.id,)
    assert match.held_by_names == ("UPE Salé",)
    assert match.describe() == "a possible match is held by UPE Salé (duplicate)"
    # Kénitra's centre: one warning, both earlier records, each held by another body.
    assert warnings_of(third) == ["child.possible_duplicate"]
    held = sorted(match.held_by_names for match in third.possible_duplicates)
    assert held == [("UPE Rabat",), ("UPE Salé",)]
    assert all(match.child is None for match in third.possible_duplicates)
    assert "2 possible match(es), 0 shown here, 2 held by other bodies" in third.warnings[0].message
    # Nothing identifying leaks through the warning's text.
    for text in (third.warnings[0].message, *(m.describe() for m in third.possible_duplicates)):
        for name in ("محمد", "Mohamed", "Amrani", "2013", sale.record.id, rabat.record.id):
            assert name not in text
    assert cases[2].child_id == third.record.id


def test_a_candidate_the_actor_sees_is_shown_in_full_with_its_reasons(d: Deployment) -> None:
    first = d.child(
        sex=Sex.MALE, birth_date=BORN, given_name=None, family_name=None,
        given_name_ar="محمد", family_name_ar="العمراني",
    )  # fmt: skip
    again = d.as_(d.worker).register_child(
        Child(Sex.MALE, BORN, given_name="Mohammed", family_name="Amrani", residence="MA-SAL")
    )
    [match] = again.possible_duplicates
    assert match.child == first
    assert match.verdict == "duplicate"
    assert "given_name.same" in [reason.code for reason in match.reasons]
    assert match.describe().startswith(f"Child {first.id} (duplicate")


def test_the_lookup_is_audited_and_names_the_records_shown(d: Deployment) -> None:
    first = d.child(sex=Sex.MALE, birth_date=BORN, given_name="Mohamed", family_name="El Amrani")
    again = (
        d.as_(d.worker)
        .register_child(Child(Sex.MALE, BORN, given_name="Mohammed", family_name="Amrani"))
        .record
    )
    with d.wl.store.unit_of_work() as uow:
        on_new = [
            e for e in uow.audit.entries(record_id=again.id) if e.action == "child.duplicate_check"
        ]
        on_first = [
            e for e in uow.audit.entries(record_id=first.id) if e.action == "child.duplicate_check"
        ]
    assert [entry.detail for entry in on_new] == ["1 possible match(es): 1 shown, 0 held"]
    assert [entry.detail for entry in on_first] == [
        "0 possible match(es): 0 shown, 0 held",  # its own registration's lookup
        "shown as a possible match",
    ]
    assert on_new[0].actor_id == d.worker.id


def test_different_children_give_no_warning(d: Deployment) -> None:
    d.child(sex=Sex.MALE, birth_date=BORN, given_name="Mohamed", family_name="El Amrani")
    twin = d.as_(d.worker).register_child(
        Child(Sex.FEMALE, BORN, given_name="Fatima", family_name="El Amrani")
    )
    assert warnings_of(twin) == []


def test_a_possible_match_goes_to_the_queue_without_a_warning(d: Deployment) -> None:
    first = d.child(sex=Sex.MALE, birth_date=BORN, given_name="Mohamed", family_name="El Amrani")
    other = d.as_(d.worker).register_child(
        Child(Sex.MALE, BORN, given_name="Mohamed", family_name="Alami")
    )
    assert warnings_of(other) == []
    [match] = other.possible_duplicates
    assert (match.child, match.verdict) == (first, "possible")
    assert 0.5 <= match.score < 0.9
    [queued] = d.as_(d.worker).duplicate_queue(d.upe.id)
    assert queued.pair is not None
    assert queued.pair.children == (other.record.id, first.id)


def test_the_pairs_go_to_the_review_queue_of_the_registering_body(d: Deployment) -> None:
    (_, rabat, _), _, kenitra_worker = three_registrations(d)
    [queued] = d.as_(d.outsider).duplicate_queue(d.rabat.id)
    assert queued.child == rabat.record
    assert queued.other.child is None
    assert queued.pair is None  # it would name Salé's record
    assert queued.other.held_by_names == ("UPE Salé",)
    kenitra_body = next(iter(kenitra_worker.bodies))
    assert len(d.as_(kenitra_worker).duplicate_queue(kenitra_body)) == 2
    assert d.as_(d.worker).duplicate_queue(d.upe.id) == []


def test_a_body_s_queue_is_refused_to_others_as_if_it_did_not_exist(d: Deployment) -> None:
    three_registrations(d)
    with pytest.raises(AccessDenied) as existing:
        d.as_(d.worker).duplicate_queue(d.rabat.id)
    unknown = "0190c1a2-0000-7000-8000-000000000000"
    with pytest.raises(AccessDenied) as missing:
        d.as_(d.worker).duplicate_queue(unknown)
    assert existing.value.reason == missing.value.reason == NOT_IN_SCOPE
    assert str(existing.value).replace(d.rabat.id, unknown) == str(missing.value)


def one_child_twice(d: Deployment) -> tuple[Case, Case, DuplicatePair]:
    """The same child registered twice at Salé's UPE, each with a case, family and referral."""
    cases = []
    for names in (
        {"given_name_ar": "محمد", "family_name_ar": "العمراني"},
        {"given_name": "Mohammed", "family_name": "Amrani"},
    ):
        outcome, case = register(d, d.worker, d.upe, IdentificationSource.OUTREACH, **names)
        family = (
            d.as_(d.worker)
            .register_family(
                Family(
                    members=(
                        FamilyMember(Relation.CHILD, child_id=outcome.record.id),
                        FamilyMember(
                            Relation.MOTHER, given_name="Khadija", sex=Sex.FEMALE, caregiver=True
                        ),
                    ),
                    residence="MA-SAL",
                )
            )
            .record
        )
        d.as_(d.worker).refer(
            case.id, service=ServiceType.PSYCHOSOCIAL, to_body=d.cape.id, on=TODAY
        )
        cases.append((case, family))
    [queued] = d.as_(d.worker).duplicate_queue(d.upe.id)
    assert queued.pair is not None
    return cases[0][0], cases[1][0], queued.pair


def test_a_confirmed_merge_keeps_every_case_referral_and_audit_entry_reachable(
    d: Deployment,
) -> None:
    first_case, second_case, pair = one_child_twice(d)
    kept, merged = pair.other_id, pair.child_id
    with d.wl.store.unit_of_work() as uow:
        before = {
            child_id: [e.seq for e in uow.audit.entries(record_id=child_id)]
            for child_id in (kept, merged)
        }
    outcome = d.as_(d.supervisor).confirm_duplicate(pair.id, keep=kept)
    assert outcome.record.status is PairStatus.CONFIRMED
    assert outcome.record.kept_id == kept
    with d.wl.store.unit_of_work() as uow:
        ids = child_ids(uow, kept)
        assert set(ids) == {kept, merged}
        assert uow.children.get(merged).merged_into == kept
        cases = [case for child_id in ids for case in uow.cases.find(CaseQuery(child_id=child_id))]
        assert {case.id for case in cases} == {first_case.id, second_case.id}
        assert all(case.child_id == kept for case in cases)
        referrals = [
            r for case in cases for r in uow.referrals.find(ReferralQuery(case_id=case.id))
        ]
        assert len(referrals) == 2
        families = uow.families.find(FAMILY.query(member_child=kept))
        assert len(families) == 2
        after = {
            seq
            for child_id in ids
            for seq in (e.seq for e in uow.audit.entries(record_id=child_id))
        }
    assert set(before[kept]) | set(before[merged]) <= after
    assert d.wl.audit.verify().ok
    # The kept child is read through either case; the merged one is never proposed again.
    assert d.as_(d.worker).child(kept).id == kept
    again = d.as_(d.worker).register_child(
        Child(Sex.MALE, BORN, given_name="Mohamed", family_name="Amrani", residence="MA-SAL")
    )
    assert [match.child.id for match in again.possible_duplicates if match.child] == [kept]


def test_a_dismissed_pair_is_not_proposed_again(d: Deployment) -> None:
    _, _, pair = one_child_twice(d)
    outcome = d.as_(d.worker).dismiss_duplicate(pair.id)
    assert outcome.record.status is PairStatus.DISMISSED
    assert d.as_(d.worker).duplicate_queue(d.upe.id) == []
    with d.wl.store.unit_of_work() as uow:
        first = uow.children.get(pair.other_id)
        found = candidates(uow, first, d.wl.matcher, d.wl.matching)
        assert pair.child_id not in [scored.other.id for scored in found]
        assert [p.key for p in candidate_pairs(uow, d.wl.matcher, d.wl.matching)] == []
    with pytest.raises(TransitionRefused, match="dismissed already"):
        d.as_(d.supervisor).confirm_duplicate(pair.id, keep=pair.child_id)


def test_dismissing_a_pair_does_not_tell_the_id_of_a_record_held_elsewhere(
    d: Deployment,
) -> None:
    (sale, rabat, _), _, _ = three_registrations(d)
    [queued] = d.as_(d.outsider).duplicate_queue(d.rabat.id)
    dismissed = d.as_(d.outsider).dismiss_duplicate(queued.pair_id).record
    assert dismissed.status is PairStatus.DISMISSED
    # Rabat's team sees its own record, and of Salé's only that a body holds one.
    assert dismissed.pair is None
    assert dismissed.other.child is None
    assert dismissed.child is not None
    assert dismissed.child.id == rabat.record.id
    assert sale.record.id not in repr(dismissed)


def test_a_merge_needs_the_full_view_of_both_records(d: Deployment) -> None:
    (_, rabat, _), _, _ = three_registrations(d)
    [queued] = d.as_(d.outsider).duplicate_queue(d.rabat.id)
    # Rabat's supervisor does not see Salé's record: the merge is refused, nothing changes.
    with pytest.raises(AccessDenied):
        d.as_(d.outsider).confirm_duplicate(queued.pair_id, keep=rabat.record.id)
    with d.wl.store.unit_of_work() as uow:
        pair = uow.repository(DuplicatePair).get(queued.pair_id)
        assert pair.status is PairStatus.PROPOSED
        assert uow.children.get(pair.other_id).merged_into is None


def test_a_case_worker_may_dismiss_but_not_merge(d: Deployment) -> None:
    _, _, pair = one_child_twice(d)
    with pytest.raises(AccessDenied):
        d.as_(d.worker).confirm_duplicate(pair.id, keep=pair.child_id)


def test_the_warning_speaks_arabic_french_and_english() -> None:
    params = {"count": 2, "shown": 0, "held": 2, "bodies": "UPE Salé"}
    for lang, word in (("en", "registered"), ("fr", "enregistré"), ("ar", "مسجّل")):
        message, remedy = render(POSSIBLE_DUPLICATE_MESSAGE, lang, params)
        assert word in message
        assert "UPE Salé" in message
        assert remedy
    warning = possible_duplicate_warning([], "Child x", lang="fr")
    assert warning.code == "child.possible_duplicate"
    assert warning.severity.value == "warning"


def test_a_search_by_any_of_several_items_needs_a_set_of_one_column() -> None:
    with pytest.raises(ValueError, match="CONTAINS_ANY reads a ManyField of one column"):
        attrs.evolve(CHILD, filters={"any_identifier": Filter("identifiers", Match.CONTAINS_ANY)})


def test_no_key_selects_no_child(d: Deployment) -> None:
    d.child()
    with d.wl.store.unit_of_work() as uow:
        assert uow.children.find(CHILD.query(blocking_key=set())) == []
        assert uow.children.count(CHILD.query(blocking_key={"gf:slm:bnn", "nothing"})) == 1


def test_the_matching_settings_are_checked_naming_the_setting(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"matching\.treshold"):
        Wladna.open("memory://", settings={"matching": {"treshold": 0.8}})
    with pytest.raises(SettingsError, match="review_threshold"):
        Wladna.open("memory://", settings={"matching": {"review_threshold": 0.95}})
    with Wladna.open("memory://", settings={"matching": {"max_candidates": 10}}) as wl:
        assert wl.max_candidates == 10

"""The rollout of the territorial bodies by province: sourced steps, unverified ones flagged."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wladna_core.errors import InvariantError
from wladna_core.model import (
    PILOT_PROVINCES,
    WLADNA_ROLLOUT,
    Gazetteer,
    RolloutStep,
)

MOROCCO = Gazetteer.morocco()
PROVINCES = [territory.code for territory in MOROCCO.provinces()]


def names(province: str) -> list[str]:
    return [step.name for step in WLADNA_ROLLOUT.phases_of(province)]


def test_sale_is_a_pilot_province_and_the_test_site_of_the_information_base() -> None:
    assert names("MA-SAL") == ["pilot_provinces", "information_base_test"]


def test_the_eight_pilot_cities_are_known_provinces() -> None:
    assert len(PILOT_PROVINCES) == 8
    assert all(code in MOROCCO for code in PILOT_PROVINCES)
    assert names("MA-LAA") == ["pilot_provinces"]


@given(st.sampled_from(PROVINCES))
def test_every_province_has_a_phase_and_the_general_one_only_if_no_other(province: str) -> None:
    found = WLADNA_ROLLOUT.phases_of(province)
    assert found
    general = [step for step in found if step.every_province]
    assert bool(general) is (province not in PILOT_PROVINCES)


def test_every_step_says_where_it_comes_from_and_the_ten_regions_are_unverified() -> None:
    for step in WLADNA_ROLLOUT.steps:
        assert step.source.strip(), step.name
    assert not WLADNA_ROLLOUT.step("regions_2021").verified
    assert WLADNA_ROLLOUT.step("pilot_provinces").verified
    with pytest.raises(KeyError):
        WLADNA_ROLLOUT.step("nowhere")


def test_a_deployment_confirms_the_ten_regions_with_its_provinces() -> None:
    confirmed = RolloutStep(
        "regions_2021",
        "The support centres of ten regions, as the deployment recorded them.",
        provinces=("MA-OUA", "MA-FES"),
        since=date(2021, 3, 1),
        source="deployment",
        verified=True,
    )
    rollout = WLADNA_ROLLOUT.with_step(confirmed)
    assert [step.name for step in rollout.phases_of("MA-OUA")] == ["regions_2021"]
    assert len(rollout.steps) == len(WLADNA_ROLLOUT.steps)
    extra = RolloutStep("later", "A later step.", provinces=("MA-OUA",))
    assert rollout.with_step(extra).steps[-1] == extra


def test_a_step_refuses_a_malformed_territory_code() -> None:
    with pytest.raises(InvariantError):
        RolloutStep("x", "A step.", provinces=("Salé",))

"""Social programmes: the catalogue, the built-in eligibility check and its warnings."""

from __future__ import annotations

import math
import pickle
import string
import unicodedata
from datetime import date

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wladna_core.errors import Severity, WladnaError
from wladna_core.hookspecs import EligibilityResult
from wladna_core.messages import LANGUAGES, Text
from wladna_core.model import (
    PROGRAMME_CALENDAR,
    EnrolmentStatus,
    Family,
    ProgrammeEnrolment,
    ServiceType,
    SocialProgramme,
)
from wladna_core.plugins import eligibility_from, make_plugin_manager, plugin_list
from wladna_core.programmes import (
    DEFAULT_THRESHOLDS,
    INELIGIBLE_CODE,
    INELIGIBLE_MESSAGE,
    PLUGIN_NAME,
    PROGRAMMES,
    EligibilitySettings,
    EligibilitySettingsError,
    Programme,
    ProgrammeEligibility,
    Threshold,
    programme_warnings,
    use_settings,
)
from wladna_core.testing import strategies as ws

ON = date(2026, 3, 2)
ASD = SocialProgramme.ASD
ASD_THRESHOLD = DEFAULT_THRESHOLDS[ASD].value
DEFAULT = ProgrammeEligibility(EligibilitySettings())


def ask(family: Family, programme: SocialProgramme, on: date = ON) -> EligibilityResult | None:
    return DEFAULT.wladna_programme_eligibility(family, programme, on)


def enrolled_in(programme: SocialProgramme, since: date | None = None) -> ProgrammeEnrolment:
    return ProgrammeEnrolment(programme, EnrolmentStatus.ENROLLED, since=since)


def is_arabic_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L") and "ARABIC" in unicodedata.name(char, "")


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


# --- the catalogue ------------------------------------------------------------------------------


def test_the_catalogue_describes_every_programme_but_other() -> None:
    assert set(PROGRAMMES) == set(SocialProgramme) - {SocialProgramme.OTHER}
    for code, programme in PROGRAMMES.items():
        assert programme.code is code
        assert programme.source.strip()
        assert programme.services <= set(ServiceType)
        assert programme.services


@pytest.mark.parametrize("programme", list(PROGRAMMES.values()), ids=lambda p: p.code.value)
def test_each_programme_is_named_in_english_french_and_arabic(programme: Programme) -> None:
    texts: list[Text] = [programme.name, programme.operator, programme.provides]
    for text in texts:
        assert all(text.in_language(lang).strip() for lang in LANGUAGES)
        assert sum(map(is_arabic_letter, text.ar)) > len(text.ar) / 2


def test_asd_and_amo_tadamon_require_the_rsu() -> None:
    assert PROGRAMMES[ASD].requires_rsu
    assert PROGRAMMES[SocialProgramme.AMO_TADAMON].requires_rsu
    assert PROGRAMMES[SocialProgramme.AMO_TADAMON].services >= {ServiceType.MEDICAL}


# --- the eligibility rules, as properties -------------------------------------------------------

FAMILIES = ws.families()
# Households are drawn with their members; a loaded machine must not fail the run.
PROPERTY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
KNOWN = st.sampled_from(list(PROGRAMMES))
# The programmes in force on ON (Tayssir and the cash programmes ASD replaced are not).
IN_FORCE = st.sampled_from([code for code in PROGRAMMES if PROGRAMME_CALENDAR.in_force(code, ON)])


@PROPERTY
@given(FAMILIES, st.dates(date(2020, 1, 1), date(2030, 12, 31)))
def test_the_builtin_check_has_no_opinion_on_other_programmes(family: Family, on: date) -> None:
    assert ask(family, SocialProgramme.OTHER, on) is None


@PROPERTY
@given(FAMILIES, IN_FORCE)
def test_a_household_enrolled_in_a_programme_is_eligible_for_it(
    family: Family, programme: SocialProgramme
) -> None:
    family = attrs.evolve(family, programmes=(enrolled_in(programme, since=ON),))
    answer = ask(family, programme)
    assert answer is not None
    assert answer.eligible
    assert (
        answer.reason == f"the household is already enrolled in {PROGRAMMES[programme].short_name}"
    )


@PROPERTY
@given(FAMILIES, IN_FORCE)
def test_an_unregistered_household_is_not_eligible_for_a_programme_that_requires_the_rsu(
    family: Family, programme: SocialProgramme
) -> None:
    family = attrs.evolve(family, rsu_id=None, programmes=())
    answer = ask(family, programme)
    if PROGRAMMES[programme].requires_rsu:
        assert answer is not None
        assert not answer.eligible
        assert answer.reason == "the household is not registered in the RSU"
    else:
        assert answer is None


@PROPERTY
@given(FAMILIES, st.floats(0, 20, allow_nan=False))
def test_asd_eligibility_follows_the_index_threshold(family: Family, index: float) -> None:
    family = attrs.evolve(family, rsu_id="123456789", socio_economic_index=index, programmes=())
    answer = ask(family, ASD)
    assert answer is not None
    assert answer.eligible is (index <= ASD_THRESHOLD)
    assert str(index) in answer.reason


@PROPERTY
@given(FAMILIES, KNOWN, st.floats(0, 20), st.floats(0, 20))
def test_a_higher_threshold_never_makes_a_household_ineligible(
    family: Family, programme: SocialProgramme, low: float, high: float
) -> None:
    low, high = sorted((low, high))

    def answer(value: float) -> EligibilityResult | None:
        settings = EligibilitySettings({programme: Threshold(value, "test")})
        return ProgrammeEligibility(settings).wladna_programme_eligibility(family, programme, ON)

    strict, lenient = answer(low), answer(high)
    assert (strict is None) == (lenient is None)
    if strict is not None and strict.eligible:
        assert lenient is not None
        assert lenient.eligible


@PROPERTY
@given(FAMILIES, KNOWN)
def test_every_answer_says_why_and_where_from(family: Family, programme: SocialProgramme) -> None:
    answer = ask(family, programme)
    if answer is not None:
        assert answer.programme is programme
        assert answer.reason.strip()
        assert answer.source


# --- the eligibility rules, by example ----------------------------------------------------------


def test_the_reason_names_the_index_and_the_threshold() -> None:
    above = ask(Family(rsu_id="1", socio_economic_index=9.8), ASD)
    assert above is not None
    assert above.reason == "RSU index 9.8 is above the ASD threshold 9.743001"
    assert not above.eligible
    within = ask(Family(rsu_id="1", socio_economic_index=9.1), ASD)
    assert within is not None
    assert within.reason == "RSU index 9.1 is within the ASD threshold 9.743001"


def test_an_index_equal_to_the_threshold_is_eligible() -> None:
    answer = ask(Family(rsu_id="1", socio_economic_index=ASD_THRESHOLD), ASD)
    assert answer is not None
    assert answer.eligible


def test_without_a_threshold_or_an_index_the_check_has_no_opinion() -> None:
    assert ask(Family(rsu_id="1", socio_economic_index=None), ASD) is None
    amo = SocialProgramme.AMO_TADAMON
    assert amo not in DEFAULT_THRESHOLDS
    assert ask(Family(rsu_id="1", socio_economic_index=3.0), amo) is None


@pytest.mark.parametrize(
    "enrolment",
    [
        ProgrammeEnrolment(ASD, EnrolmentStatus.ENROLLED, since=date(2026, 3, 3)),
        ProgrammeEnrolment(ASD, EnrolmentStatus.SUSPENDED),
        ProgrammeEnrolment(ASD, EnrolmentStatus.APPLIED),
        ProgrammeEnrolment(SocialProgramme.TAYSSIR, EnrolmentStatus.ENROLLED),
    ],
    ids=["from-tomorrow", "suspended", "applied", "other-programme"],
)
def test_only_an_enrolment_in_force_on_the_day_counts(enrolment: ProgrammeEnrolment) -> None:
    answer = ask(Family(programmes=(enrolment,)), ASD)
    assert answer is not None
    assert answer.reason == "the household is not registered in the RSU"


def test_an_enrolment_from_today_counts() -> None:
    answer = ask(Family(programmes=(enrolled_in(ASD, since=ON),)), ASD)
    assert answer is not None
    assert answer.eligible


# --- programmes change over time ----------------------------------------------------------------

TAYSSIR = SocialProgramme.TAYSSIR
REPLACED_BY_ASD = [
    SocialProgramme.TAYSSIR,
    SocialProgramme.DAAM,
    SocialProgramme.FAMILY_SUPPORT_FUND,
]


@pytest.mark.parametrize(
    ("programme", "on", "eligible", "reason"),
    [
        # A referral to Tayssir in 2021 is judged on the household, as it was then.
        (TAYSSIR, date(2021, 3, 1), None, None),
        (TAYSSIR, date(2023, 12, 31), None, None),
        (TAYSSIR, date(2024, 1, 1), False, "Tayssir ended on 2023-12-31; it was replaced by ASD"),
        (TAYSSIR, date(2026, 3, 2), False, "Tayssir ended on 2023-12-31; it was replaced by ASD"),
        (SocialProgramme.DAAM, date(2016, 1, 4), None, None),
        (
            SocialProgramme.DAAM,
            date(2015, 8, 31),
            False,
            "DAAM starts on 2015-09-01, after 2015-08-31",
        ),
        (
            SocialProgramme.DAAM,
            date(2026, 3, 2),
            False,
            "DAAM ended on 2023-12-31; it was replaced by ASD",
        ),
        (
            SocialProgramme.FAMILY_SUPPORT_FUND,
            date(2024, 6, 1),
            False,
            "Family Support Fund ended on 2023-12-31; it was replaced by ASD",
        ),
        (ASD, date(2021, 3, 1), False, "ASD starts on 2023-12-01, after 2021-03-01"),
        (ASD, date(2023, 11, 30), False, "ASD starts on 2023-12-01, after 2023-11-30"),
    ],
)
def test_eligibility_is_judged_for_the_date_of_the_referral(
    programme: SocialProgramme, on: date, eligible: bool | None, reason: str | None
) -> None:
    # A household with no RSU registration: only the programme's dates can answer for it.
    answer = ask(Family(), programme, on)
    if eligible is None:
        assert answer is None
    else:
        assert answer is not None
        assert (answer.eligible, answer.reason) == (eligible, reason)


def test_asd_is_judged_on_the_index_from_its_first_day() -> None:
    family = Family(rsu_id="123456789", socio_economic_index=9.1)
    answer = ask(family, ASD, date(2023, 12, 1))
    assert answer is not None
    assert answer.eligible


def test_an_answer_resting_on_unverified_dates_says_so() -> None:
    answer = ask(Family(), TAYSSIR, date(2026, 3, 2))
    assert answer is not None
    assert answer.source is not None
    assert answer.source.endswith("(unverified date)")
    asd = ask(Family(), ASD, date(2021, 3, 1))
    assert asd is not None
    assert asd.source is not None
    assert "Law 58-23" in asd.source
    assert "unverified" not in asd.source


@PROPERTY
@given(FAMILIES, st.sampled_from(REPLACED_BY_ASD), st.dates(date(2024, 1, 1), date(2040, 1, 1)))
def test_after_2023_the_replaced_programmes_are_closed_to_everyone(
    family: Family, programme: SocialProgramme, on: date
) -> None:
    # Even a household enrolled in it: the programme no longer pays.
    family = attrs.evolve(family, programmes=(enrolled_in(programme),))
    answer = ask(family, programme, on)
    assert answer is not None
    assert not answer.eligible
    assert answer.reason.endswith("it was replaced by ASD")


def test_the_catalogue_gives_each_programme_its_period() -> None:
    tayssir = PROGRAMMES[TAYSSIR]
    assert (tayssir.valid_from, tayssir.valid_to) == (date(2008, 9, 1), date(2023, 12, 31))
    assert tayssir.successor is ASD
    assert not tayssir.period.verified
    assert tayssir.in_force(date(2021, 3, 1))
    assert not tayssir.in_force(date(2026, 3, 2))
    asd = PROGRAMMES[ASD]
    assert (asd.valid_from, asd.valid_to, asd.successor) == (date(2023, 12, 1), None, None)
    assert asd.period.verified
    # AMO Tadamon and the Entraide Nationale have no period: always in force.
    assert PROGRAMMES[SocialProgramme.AMO_TADAMON].in_force(date(1990, 1, 1))


def test_asd_covers_children_under_21_and_pays_a_lump_sum_to_households_with_none() -> None:
    provides = PROGRAMMES[ASD].provides
    assert "under 21" in provides.en
    assert "no child under 21" in provides.en
    assert "moins de 21 ans" in provides.fr
    assert "21" in provides.ar


def test_a_deployment_confirms_or_corrects_the_dates() -> None:
    settings = EligibilitySettings.from_settings(
        {"programme_periods": {"tayssir": {"valid_to": "2024-06-30"}}}
    )
    period = settings.calendar.period(TAYSSIR)
    assert period.valid_to == date(2024, 6, 30)
    assert period.successor is ASD
    assert period.verified
    assert period.source == "deployment setting programme_periods.tayssir"
    check = ProgrammeEligibility(settings)
    assert check.wladna_programme_eligibility(Family(), TAYSSIR, date(2024, 3, 1)) is None
    answer = check.wladna_programme_eligibility(Family(), TAYSSIR, date(2024, 7, 1))
    assert answer is not None
    assert answer.reason == "Tayssir ended on 2024-06-30; it was replaced by ASD"
    assert answer.source == "deployment setting programme_periods.tayssir"


@pytest.mark.parametrize(
    ("section", "setting", "problem"),
    [
        ([], "programme_periods", "it must map programme codes to periods"),
        ({"tayssir": "2023"}, "programme_periods.tayssir", "a period is a mapping"),
        ({"tayssir": {"ends": "2023-12-31"}}, "programme_periods.tayssir", "a period is a mapping"),
        (
            {"tayssir": {"valid_to": "31/12/2023"}},
            "programme_periods.tayssir.valid_to",
            "a date is written YYYY-MM-DD",
        ),
        (
            {"tayssir": {"valid_to": "2000-01-01"}},
            "programme_periods.tayssir",
            "is before valid_from",
        ),
        ({"taysir": {}}, "programme_periods.taysir", "not a programme of the built-in catalogue"),
        (
            {"tayssir": {"successor": "adc"}},
            "programme_periods.tayssir.successor",
            "not a programme of the built-in catalogue",
        ),
    ],
)
def test_bad_periods_are_refused_naming_the_setting(
    section: object, setting: str, problem: str
) -> None:
    with pytest.raises(EligibilitySettingsError, match=problem) as caught:
        EligibilitySettings.from_settings({"programme_periods": section})
    assert f"setting {setting} = " in str(caught.value)


# --- the plug-in ----------------------------------------------------------------------------------


def test_every_plugin_manager_has_the_builtin_check() -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    [answer] = eligibility_from(pm, Family(), ASD, ON)
    assert answer == EligibilityResult(
        ASD, False, "the household is not registered in the RSU", "RSU registration (law n° 72-18)"
    )
    infos = {info.name: info for info in plugin_list(pm)}
    assert infos[PLUGIN_NAME].hooks == ("wladna_programme_eligibility",)


def test_use_settings_replaces_the_builtin_check() -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    family = Family(rsu_id="1", socio_economic_index=9.8)
    plugin = use_settings(
        pm, EligibilitySettings.from_settings({"programme_thresholds": {"asd": 10}})
    )
    assert pm.get_plugin(PLUGIN_NAME) is plugin
    [answer] = eligibility_from(pm, family, ASD, ON)
    assert answer.eligible
    assert answer.source == "deployment setting programme_thresholds.asd"
    use_settings(pm, EligibilitySettings())
    [again] = eligibility_from(pm, family, ASD, ON)
    assert not again.eligible
    infos = {info.name: info for info in plugin_list(pm)}
    assert infos[PLUGIN_NAME].distribution == "wladna-core"


def test_use_settings_leaves_other_plugins_alone() -> None:
    pm = make_plugin_manager(load_entrypoints=False)

    class Registry:
        def wladna_programme_eligibility(self) -> None:
            return None

    other = Registry()
    pm.register(other, name="registry")
    use_settings(pm, EligibilitySettings())
    assert pm.get_plugin("registry") is other


def test_the_check_wants_settings() -> None:
    with pytest.raises(TypeError, match="settings must be EligibilitySettings"):
        ProgrammeEligibility({"asd": 9.0})  # type: ignore[arg-type]


# --- settings -----------------------------------------------------------------------------------


def test_settings_override_the_defaults_they_name() -> None:
    settings = EligibilitySettings.from_settings(
        {"programme_thresholds": {"amo_tadamon": 9.3, "asd": None}, "other": 1}
    )
    assert settings.threshold(ASD) is None
    assert settings.threshold(SocialProgramme.AMO_TADAMON) == Threshold(
        9.3, "deployment setting programme_thresholds.amo_tadamon"
    )
    assert EligibilitySettings.from_settings({}) == EligibilitySettings()
    assert hash(EligibilitySettings()) == hash(EligibilitySettings.from_settings({}))


@pytest.mark.parametrize(
    ("section", "key", "words"),
    [
        ({"asdd": 9.0}, "programme_thresholds.asdd", "Did you mean 'asd'?"),
        ({"other": 9.0}, "programme_thresholds.other", "not a programme of the built-in"),
        ({"asd": "9.7"}, "programme_thresholds.asd", "a threshold is a number"),
        ({"asd": True}, "programme_thresholds.asd", "a threshold is a number"),
        ({"asd": -1}, "programme_thresholds.asd", "zero or more"),
        ({"asd": math.nan}, "programme_thresholds.asd", "finite number"),
        ({"asd": math.inf}, "programme_thresholds.asd", "finite number"),
    ],
)
def test_bad_thresholds_are_refused_naming_the_setting(
    section: dict[str, object], key: str, words: str
) -> None:
    with pytest.raises(EligibilitySettingsError) as caught:
        EligibilitySettings.from_settings({"programme_thresholds": section})
    assert caught.value.key == key
    assert words in str(caught.value)
    assert isinstance(caught.value, WladnaError)
    assert isinstance(caught.value, ValueError)


def test_a_thresholds_section_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(EligibilitySettingsError, match="it must map programme codes"):
        EligibilitySettings.from_settings({"programme_thresholds": [9.7]})


def test_settings_that_are_not_a_mapping_are_refused() -> None:
    with pytest.raises(EligibilitySettingsError, match="deployment settings are a mapping"):
        EligibilitySettings.from_settings([("programme_thresholds", {})])  # type: ignore[arg-type]


def test_a_threshold_for_an_unknown_programme_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="no built-in eligibility check knows"):
        EligibilitySettings({SocialProgramme.OTHER: Threshold(1.0, "x")})


def test_a_settings_error_survives_pickling() -> None:
    error = EligibilitySettingsError("programme_thresholds.asd", -1, "reason", "Remedy.")
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


# --- warnings -----------------------------------------------------------------------------------

RESULTS = st.builds(
    EligibilityResult,
    programme=st.sampled_from(SocialProgramme),
    eligible=st.booleans(),
    reason=st.sampled_from(["not in the RSU", "RSU index 9.8 is above the ASD threshold 9.7."]),
    source=st.sampled_from([None, "RSU"]),
)


@given(st.lists(RESULTS, max_size=6), st.sampled_from(LANGUAGES))
def test_one_warning_per_negative_answer(results: list[EligibilityResult], lang: str) -> None:
    warnings = programme_warnings(results, "$.target", "Referral 1", lang=lang)
    assert len(warnings) == sum(not result.eligible for result in results)
    for warning, result in zip(warnings, [r for r in results if not r.eligible], strict=True):
        assert warning.code == INELIGIBLE_CODE
        assert warning.severity is Severity.WARNING
        assert (warning.path, warning.record) == ("$.target", "Referral 1")
        assert result.reason.rstrip(".") in warning.message
        assert warning.remedy


def test_the_warning_says_exactly_this_in_english() -> None:
    result = EligibilityResult(
        ASD, False, "RSU index 9.8 is above the ASD threshold 9.743001", "RSU"
    )
    [warning] = programme_warnings([result], "$.target", "Referral 1")
    assert warning.message == (
        "The family is found ineligible for Direct social support (ASD) (RSU): RSU index 9.8 is "
        "above the ASD threshold 9.743001."
    )
    assert warning.remedy == (
        "Check the household's RSU registration and index with the family before referring it; "
        "if the answer stands, refer the family to a service it can receive."
    )


def test_the_warning_in_french_and_arabic_names_the_programme_in_that_language() -> None:
    result = EligibilityResult(ASD, False, "not in the RSU", "RSU")
    [french] = programme_warnings([result], "$.target", "Referral 1", lang="fr")
    assert french.message == (
        "La famille est jugée non éligible au programme Aide sociale directe (ASD) (RSU) : "
        "not in the RSU."
    )
    [arabic] = programme_warnings([result], "$.target", "Referral 1", lang="ar")
    assert "الدعم الاجتماعي المباشر" in arabic.message
    assert "السجل الاجتماعي الموحد" in arabic.remedy


def test_a_warning_for_another_programme_names_its_code() -> None:
    result = EligibilityResult(SocialProgramme.OTHER, False, "not in the register")
    [warning] = programme_warnings([result], "$.target", "Referral 1")
    assert "ineligible for other (?)" in warning.message


def test_the_warning_message_exists_in_three_languages_with_the_same_fields() -> None:
    for text in (INELIGIBLE_MESSAGE.message, INELIGIBLE_MESSAGE.remedy):
        english = fields(text.en)
        assert fields(text.fr) == english
        assert fields(text.ar) == english
        assert text.fr != text.en
        for lang in LANGUAGES:
            template = text.in_language(lang)
            assert template == template.strip()
            assert template[-1] in ".!"
        assert sum(map(is_arabic_letter, text.ar)) > len(text.ar) / 3


def test_warnings_refuse_an_unknown_language_and_foreign_objects() -> None:
    result = EligibilityResult(ASD, False, "not in the RSU")
    with pytest.raises(ValueError, match="unknown language 'de'"):
        programme_warnings([result], "$.target", "Referral 1", lang="de")
    with pytest.raises(TypeError, match="EligibilityResult objects, got dict"):
        programme_warnings([{"eligible": False}], "$", "Referral 1")  # type: ignore[list-item]

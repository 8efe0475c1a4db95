"""Public social programmes: the built-in catalogue and its eligibility check.

:data:`PROGRAMMES` describes the programmes a family can be referred to (direct social support,
AMO Tadamon, Tayssir, the services of the Entraide Nationale): who runs them, what they provide,
which services they answer and whether the household must be registered in the Unified Social
Register (RSU).

Programmes change over time: each has a period (:attr:`Programme.valid_from`,
:attr:`Programme.valid_to`, :attr:`Programme.successor`, from
:data:`~wladna_core.model.PROGRAMME_CALENDAR`), and eligibility is judged for a date — the day
of the referral.  A programme not in force that day is open to no one, and the answer names
what replaced it.

The built-in eligibility check answers the hook ``wladna_programme_eligibility`` from what the
:class:`~wladna_core.model.Family` record says: RSU registration, socio-economic index and
enrolments.  The index thresholds are **configuration, not law**: :class:`EligibilitySettings`
holds them with the source of each, and a deployment sets them (``programme_thresholds``) when a
decree changes them.  :func:`use_settings` puts a configured check in place of the default one.

>>> from datetime import date, datetime
>>> from wladna_core.model import Family, SocialProgramme
>>> from wladna_core.plugins import eligibility_from, make_plugin_manager
>>> pm = make_plugin_manager(load_entrypoints=False)
>>> family = Family(rsu_id="123456789", socio_economic_index=9.8)
>>> [answer] = eligibility_from(pm, family, SocialProgramme.ASD, date(2026, 3, 2))
>>> answer.eligible, answer.reason
(False, 'RSU index 9.8 is above the ASD threshold 9.743001')

:func:`programme_warnings` turns negative answers into ``referral.programme_ineligible``
warnings for the referral a case worker is about to make.
"""

from __future__ import annotations

import difflib
import math
import types
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Final, cast

import attrs

from wladna_core.errors import SettingsError, Severity, Violation
from wladna_core.hookspecs import EligibilityResult, hookimpl
from wladna_core.messages import Message, Text, render
from wladna_core.model import (
    PROGRAMME_CALENDAR,
    EnrolmentStatus,
    ProgrammeCalendar,
    ProgrammePeriod,
    ServiceType,
    SocialProgramme,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pluggy

    from wladna_core.model import Family

__all__ = [
    "DEFAULT_THRESHOLDS",
    "INELIGIBLE_CODE",
    "INELIGIBLE_MESSAGE",
    "PERIODS_KEY",
    "PLUGIN_NAME",
    "PROGRAMMES",
    "SETTINGS_KEY",
    "EligibilitySettings",
    "EligibilitySettingsError",
    "Programme",
    "ProgrammeEligibility",
    "Threshold",
    "programme_warnings",
    "use_settings",
    "wladna_programme_eligibility",
]

#: The deployment setting that holds the index thresholds: a mapping programme code -> number.
SETTINGS_KEY: Final = "programme_thresholds"
#: The deployment setting that confirms or corrects when programmes were in force.
PERIODS_KEY: Final = "programme_periods"
#: The name the built-in eligibility check is registered under in a plug-in manager.
PLUGIN_NAME: Final = __name__
#: The code of the warning given when a family is found ineligible for a programme.
INELIGIBLE_CODE: Final = "referral.programme_ineligible"


# --- the catalogue ------------------------------------------------------------------------------


def _services(value: object) -> frozenset[ServiceType]:
    return frozenset(cast("frozenset[ServiceType]", value))


@attrs.frozen
class Programme:
    """A public social programme of the built-in catalogue.

    :param code: the programme's code, as in referrals and enrolments.
    :param short_name: the short name used in reasons and messages (``ASD``, ``AMO Tadamon``).
    :param name: the full name in English, French and Arabic.
    :param operator: who runs it, in the three languages.
    :param provides: what it gives a household, in one sentence per language.
    :param services: the kinds of service a referral to it can ask for.
    :param requires_rsu: whether only households registered in the RSU can benefit.
    :param source: the legal texts or official pages the description is based on.
    """

    code: SocialProgramme = attrs.field(validator=attrs.validators.instance_of(SocialProgramme))
    short_name: str
    name: Text
    operator: Text
    provides: Text
    services: frozenset[ServiceType] = attrs.field(converter=_services)
    requires_rsu: bool
    source: str

    @property
    def period(self) -> ProgrammePeriod:
        """When the programme was in force, from the shipped :data:`PROGRAMME_CALENDAR`."""
        return PROGRAMME_CALENDAR.period(self.code)

    @property
    def valid_from(self) -> date | None:
        """The first day the programme was in force, or ``None`` when not known."""
        return self.period.valid_from

    @property
    def valid_to(self) -> date | None:
        """The last day the programme was in force, or ``None`` while it is in force."""
        return self.period.valid_to

    @property
    def successor(self) -> SocialProgramme | None:
        """The programme that took over from this one, once it ended."""
        return self.period.successor

    def in_force(self, on: date) -> bool:
        """Return whether the programme was in force on ``on``."""
        return self.period.in_force(on)


_RSU_SOURCE: Final = (
    "Law n° 72-18 on the targeting system of beneficiaries of social support programmes "
    "(National Population Register and Unified Social Register), https://www.rsu.ma"
)

_RSU_RULE: Final = "RSU registration (law n° 72-18)"

#: The built-in catalogue of social programmes, by code (``other`` is not in it).
PROGRAMMES: Final[Mapping[SocialProgramme, Programme]] = types.MappingProxyType(
    {
        SocialProgramme.ASD: Programme(
            code=SocialProgramme.ASD,
            short_name="ASD",
            name=Text(
                "Direct social support (ASD)",
                "Aide sociale directe (ASD)",
                "الدعم الاجتماعي المباشر",
            ),
            operator=Text(
                "National Social Support Agency, created by Law 59-23",
                "Agence nationale d'aide sociale, créée par la loi n° 59-23",
                "الوكالة الوطنية للدعم الاجتماعي، المحدثة بالقانون رقم 59.23",
            ),
            provides=Text(
                "Monthly allowances for each child under 21 (more for orphans and children "
                "with disabilities), or a lump sum to households with no child under 21.",
                "Des allocations mensuelles pour chaque enfant de moins de 21 ans (majorées pour "
                "les orphelins et les enfants en situation de handicap), ou une aide forfaitaire "
                "aux ménages sans enfant de moins de 21 ans.",
                "منح شهرية عن كل طفل دون 21 سنة (تزيد للأيتام وللأطفال في وضعية إعاقة)، أو دعم "
                "جزافي للأسر التي ليس لها طفل دون 21 سنة.",
            ),
            services=frozenset({ServiceType.SOCIAL_ASSISTANCE, ServiceType.EDUCATION}),
            requires_rsu=True,
            source=(
                "Law n° 58-23 on the direct social support scheme (Bulletin officiel 7253, "
                "4 December 2023); law n° 59-23 creating the agency; framework law n° 09-21 on "
                "social protection; " + _RSU_SOURCE
            ),
        ),
        SocialProgramme.AMO_TADAMON: Programme(
            code=SocialProgramme.AMO_TADAMON,
            short_name="AMO Tadamon",
            name=Text(
                "AMO Tadamon: compulsory basic health insurance for people unable to pay "
                "contributions",
                "AMO Tadamon : assurance maladie obligatoire de base des personnes incapables de "
                "payer les cotisations",
                "التأمين الإجباري الأساسي عن المرض «تضامن» للأشخاص غير القادرين على أداء "
                "الاشتراكات",
            ),
            operator=Text(
                "National Social Security Fund (CNSS), regulated by the National Health "
                "Insurance Agency (ANAM)",
                "Caisse nationale de sécurité sociale (CNSS), sous la régulation de l'Agence "
                "nationale de l'assurance maladie (ANAM)",
                "الصندوق الوطني للضمان الاجتماعي، تحت تأطير الوكالة الوطنية للتأمين الصحي",
            ),
            provides=Text(
                "Health insurance whose contributions the State pays for the household.",
                "Une assurance maladie dont l'État paie les cotisations pour le ménage.",
                "تأمين صحي تتحمل الدولة اشتراكاته عن الأسرة.",
            ),
            services=frozenset({ServiceType.MEDICAL, ServiceType.DISABILITY_SERVICES}),
            requires_rsu=True,
            source=(
                "Law n° 65-00 on basic medical coverage, as amended; framework law n° 09-21 on "
                "social protection; " + _RSU_SOURCE
            ),
        ),
        SocialProgramme.TAYSSIR: Programme(
            code=SocialProgramme.TAYSSIR,
            short_name="Tayssir",
            name=Text(
                "Tayssir conditional cash transfers for schooling",
                "Tayssir : transferts monétaires conditionnels pour la scolarisation",
                "برنامج تيسير للتحويلات المالية المشروطة بالتمدرس",
            ),
            operator=Text(
                "Ministry of National Education",
                "Ministère de l'Éducation nationale",
                "وزارة التربية الوطنية",
            ),
            provides=Text(
                "Cash transfers to families on condition that their children attend school.",
                "Des transferts d'argent aux familles à condition que leurs enfants aillent à "
                "l'école.",
                "تحويلات مالية للأسر بشرط مواظبة أطفالها على الدراسة.",
            ),
            services=frozenset({ServiceType.EDUCATION, ServiceType.SOCIAL_ASSISTANCE}),
            requires_rsu=False,
            source=(
                "Tayssir programme of the Ministry of National Education, launched in the "
                "2008-2009 school year; replaced by ASD (see its period)"
            ),
        ),
        SocialProgramme.DAAM: Programme(
            code=SocialProgramme.DAAM,
            short_name="DAAM",
            name=Text(
                "DAAM: direct support to widows with orphan children",
                "DAAM : aide directe aux veuves ayant des enfants orphelins à charge",
                "برنامج الدعم المباشر للنساء الأرامل في وضعية هشاشة الحاضنات لأطفالهن اليتامى",
            ),
            operator=Text(
                "National Pension Fund (CNRA, CDG Prévoyance), for the Ministry of Solidarity",
                "Caisse nationale de retraites (CNRA, CDG Prévoyance), pour le ministère de la "
                "Solidarité",
                "الصندوق الوطني للتقاعد، لفائدة الوزارة المكلفة بالتضامن",
            ),
            provides=Text(
                "A monthly allowance for each orphan child of a widow in precarity.",
                "Une allocation mensuelle pour chaque enfant orphelin d'une veuve en situation "
                "de précarité.",
                "منحة شهرية عن كل طفل يتيم لأرملة في وضعية هشاشة.",
            ),
            services=frozenset({ServiceType.SOCIAL_ASSISTANCE}),
            requires_rsu=False,
            source=(
                "Deployed in September 2015 (Ministry of Economy and Finance, social impact "
                "study of DAAM, 2023); replaced by ASD (see its period)"
            ),
        ),
        SocialProgramme.FAMILY_SUPPORT_FUND: Programme(
            code=SocialProgramme.FAMILY_SUPPORT_FUND,
            short_name="Family Support Fund",
            name=Text(
                "Family Support Fund",
                "Fonds d'entraide familiale",
                "صندوق التكافل العائلي",
            ),
            operator=Text(
                "Caisse de dépôt et de gestion (unverified)",
                "Caisse de dépôt et de gestion (non vérifié)",
                "صندوق الإيداع والتدبير (غير متحقق منه)",
            ),
            provides=Text(
                "Advances of maintenance to divorced mothers in need and their children "
                "(unverified).",
                "Des avances de pension alimentaire aux mères divorcées démunies et à leurs "
                "enfants (non vérifié).",
                "تسبيقات النفقة للأمهات المطلقات المعوزات ولأطفالهن (غير متحقق منه).",
            ),
            services=frozenset({ServiceType.SOCIAL_ASSISTANCE}),
            requires_rsu=False,
            source="not confirmed by a public source; replaced by ASD (see its period)",
        ),
        SocialProgramme.ENTRAIDE_NATIONALE: Programme(
            code=SocialProgramme.ENTRAIDE_NATIONALE,
            short_name="Entraide Nationale",
            name=Text(
                "Services of the Entraide Nationale",
                "Services de l'Entraide Nationale",
                "خدمات مؤسسة التعاون الوطني",
            ),
            operator=Text("Entraide Nationale", "Entraide Nationale", "مؤسسة التعاون الوطني"),
            provides=Text(
                "Social protection establishments, vocational training, support to people with "
                "disabilities and social assistance.",
                "Des établissements de protection sociale, de la formation professionnelle, un "
                "appui aux personnes en situation de handicap et de l'assistance sociale.",
                "مؤسسات الرعاية الاجتماعية والتكوين المهني ودعم الأشخاص في وضعية إعاقة والمساعدة "
                "الاجتماعية.",
            ),
            services=frozenset(
                {
                    ServiceType.PLACEMENT,
                    ServiceType.VOCATIONAL_TRAINING,
                    ServiceType.DISABILITY_SERVICES,
                    ServiceType.SOCIAL_ASSISTANCE,
                }
            ),
            requires_rsu=False,
            source=(
                "Entraide Nationale, public establishment created in 1957; law n° 65-15 on "
                "social protection establishments; https://www.entraide.ma"
            ),
        ),
    }
)


# --- settings ------------------------------------------------------------------------------------


@attrs.frozen
class Threshold:
    """A socio-economic index threshold: households at or below it are eligible.

    :param value: the threshold, on the scale of the RSU socio-economic index.
    :param source: where the figure comes from (a decree, an official statement, a deployment
        setting), so that nobody takes it for law without checking.
    """

    value: float
    source: str


#: The built-in thresholds.  Only ASD has one: the figure 9.743001 was stated by the government
#: spokesperson (press conference after the government council, reported by L'Opinion); the
#: decree that fixes it is to be confirmed by the deployment.  AMO Tadamon has none until a
#: deployment sets it: its figure could not be confirmed here.
DEFAULT_THRESHOLDS: Final[Mapping[SocialProgramme, Threshold]] = types.MappingProxyType(
    {
        SocialProgramme.ASD: Threshold(
            9.743001,
            "threshold stated by the government; decree to be confirmed by the deployment",
        ),
    }
)


class EligibilitySettingsError(SettingsError):
    """A ``programme_thresholds`` setting is not usable (see :class:`.SettingsError`)."""


def _frozen_thresholds(value: object) -> Mapping[SocialProgramme, Threshold]:
    return types.MappingProxyType(dict(cast("Mapping[SocialProgramme, Threshold]", value)))


def _check_thresholds(
    _instance: object,
    _attribute: attrs.Attribute[Mapping[SocialProgramme, Threshold]],
    value: Mapping[SocialProgramme, Threshold],
) -> None:
    for programme, threshold in cast("Mapping[object, object]", value).items():
        if programme not in PROGRAMMES:
            msg = f"no built-in eligibility check knows the programme {programme!r}"
            raise ValueError(msg)
        if not isinstance(threshold, Threshold):
            msg = f"the threshold of {programme} must be a Threshold, got {threshold!r}"
            raise TypeError(msg)


_KNOWN: Final = ", ".join(code.value for code in PROGRAMMES)
_CODES: Final = frozenset(code.value for code in PROGRAMMES)


def _programme_key(key: object, setting: str) -> SocialProgramme:
    code = key.value if isinstance(key, SocialProgramme) else key
    if isinstance(code, str) and code in PROGRAMMES:
        return SocialProgramme(code)
    close = difflib.get_close_matches(str(code), [known.value for known in PROGRAMMES], n=1)
    hint = f"Did you mean {close[0]!r}? " if close else ""
    raise EligibilitySettingsError(
        f"{setting}.{code}",
        code,
        "not a programme of the built-in catalogue",
        f"{hint}Use one of: {_KNOWN}.",
    )


def _threshold_value(value: object, key: str) -> float | None:
    if value is None:
        return None
    number_types = (int, float)
    if isinstance(value, bool) or not isinstance(value, number_types):
        raise EligibilitySettingsError(
            key,
            value,
            "a threshold is a number",
            "Write the index threshold as a number (e.g. 9.743001), or null for no threshold.",
        )
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise EligibilitySettingsError(
            key,
            value,
            "a threshold is a finite number, zero or more",
            "Copy the threshold from the decree that fixes it (e.g. 9.743001).",
        )
    return number


@attrs.frozen
class EligibilitySettings:
    """The socio-economic index thresholds the built-in eligibility check compares with.

    These are **configuration, not law**: the defaults (:data:`DEFAULT_THRESHOLDS`) say where
    each figure comes from, and a deployment replaces them when the regulation changes.  A
    programme without a threshold is judged on RSU registration and enrolment only.

    :param thresholds: the threshold of each programme that has one.
    """

    thresholds: Mapping[SocialProgramme, Threshold] = attrs.field(
        default=DEFAULT_THRESHOLDS,
        converter=_frozen_thresholds,
        validator=_check_thresholds,
        hash=False,
    )
    calendar: ProgrammeCalendar = attrs.field(
        default=PROGRAMME_CALENDAR,
        validator=attrs.validators.instance_of(ProgrammeCalendar),
        kw_only=True,
    )

    def threshold(self, programme: SocialProgramme) -> Threshold | None:
        """Return the threshold of ``programme``, or ``None`` when it has none."""
        return self.thresholds.get(programme)

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> EligibilitySettings:
        """Read the thresholds from deployment settings, over the defaults.

        ``settings["programme_thresholds"]`` maps programme codes to a number (the new
        threshold) or ``None`` (no threshold).  Programmes not named keep their default.

        >>> settings = EligibilitySettings.from_settings(
        ...     {"programme_thresholds": {"amo_tadamon": 9.5}}
        ... )
        >>> settings.threshold(SocialProgramme.AMO_TADAMON).value
        9.5

        :param settings: the deployment settings; other keys are ignored.
        :raises EligibilitySettingsError: naming the setting, for an unknown programme, a value
            that is not a number, a negative or non-finite number, or a section that is not a
            mapping.
        """
        if not isinstance(cast("object", settings), Mapping):
            raise EligibilitySettingsError(
                "settings",
                type(settings).__name__,
                "deployment settings are a mapping",
                f"Pass a mapping with the key {SETTINGS_KEY!r}.",
            )
        calendar = _calendar_from(settings.get(PERIODS_KEY))
        section = settings.get(SETTINGS_KEY)
        if section is None:
            return cls(calendar=calendar)
        if not isinstance(section, Mapping):
            raise EligibilitySettingsError(
                SETTINGS_KEY,
                section,
                "it must map programme codes to thresholds",
                f'Write it as {{"asd": 9.743001}}; programmes are: {_KNOWN}.',
            )
        thresholds = dict(DEFAULT_THRESHOLDS)
        for key, value in section.items():
            programme = _programme_key(key, SETTINGS_KEY)
            setting = f"{SETTINGS_KEY}.{programme.value}"
            number = _threshold_value(value, setting)
            if number is None:
                thresholds.pop(programme, None)
            else:
                thresholds[programme] = Threshold(number, f"deployment setting {setting}")
        return cls(thresholds, calendar=calendar)


_PERIOD_KEYS: Final = frozenset({"valid_from", "valid_to", "successor"})


def _setting_date(value: object, key: str) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise EligibilitySettingsError(
        key, value, "a date is written YYYY-MM-DD", "Write the day, e.g. 2023-12-31, or null."
    )


def _calendar_from(section: object) -> ProgrammeCalendar:
    """Read ``programme_periods``: the deployment confirms or corrects the shipped dates."""
    if section is None:
        return PROGRAMME_CALENDAR
    if not isinstance(section, Mapping):
        raise EligibilitySettingsError(
            PERIODS_KEY,
            section,
            "it must map programme codes to periods",
            'Write it as {"tayssir": {"valid_to": "2023-12-31", "successor": "asd"}}.',
        )
    periods: dict[SocialProgramme, ProgrammePeriod] = {}
    for key, value in cast("Mapping[object, object]", section).items():
        programme = _programme_key(key, PERIODS_KEY)
        setting = f"{PERIODS_KEY}.{programme.value}"
        if not isinstance(value, Mapping) or not set(value) <= _PERIOD_KEYS:
            raise EligibilitySettingsError(
                setting,
                value,
                "a period is a mapping of valid_from, valid_to and successor",
                'Write it as {"valid_to": "2023-12-31", "successor": "asd"}.',
            )
        fields = cast("Mapping[str, object]", value)
        current = PROGRAMME_CALENDAR.period(programme)
        successor = fields.get("successor", current.successor)
        if successor is not None and not (isinstance(successor, str) and successor in _CODES):
            raise EligibilitySettingsError(
                f"{setting}.successor",
                successor,
                "not a programme of the built-in catalogue",
                f"Use one of: {_KNOWN}, or null.",
            )
        valid_from = _setting_date(
            fields.get("valid_from", current.valid_from), f"{setting}.valid_from"
        )
        valid_to = _setting_date(fields.get("valid_to", current.valid_to), f"{setting}.valid_to")
        if valid_from is not None and valid_to is not None and valid_to < valid_from:
            raise EligibilitySettingsError(
                setting,
                value,
                f"valid_to {valid_to} is before valid_from {valid_from}",
                "Put valid_from on or before valid_to.",
            )
        periods[programme] = ProgrammePeriod(
            programme,
            valid_from=valid_from,
            valid_to=valid_to,
            successor=None if successor is None else SocialProgramme(successor),
            source=f"deployment setting {setting}",
            verified=True,
        )
    return PROGRAMME_CALENDAR.with_changes(periods)


# --- the eligibility check -----------------------------------------------------------------------


def _enrolled(family: Family, programme: SocialProgramme, on: date) -> bool:
    return any(
        enrolment.programme is programme
        and enrolment.status is EnrolmentStatus.ENROLLED
        and (enrolment.since is None or enrolment.since <= on)
        for enrolment in family.programmes
    )


def _dates(period: ProgrammePeriod) -> str:
    return period.source if period.verified else f"{period.source} (unverified date)"


def _not_in_force(name: str, period: ProgrammePeriod, on: date, calendar: ProgrammeCalendar) -> str:
    """Say why a programme was not in force on ``on``, and what replaced it."""
    if period.valid_from is not None and on < period.valid_from:
        return f"{name} starts on {period.valid_from.isoformat()}, after {on.isoformat()}"
    ended = period.valid_to.isoformat() if period.valid_to is not None else "?"
    reason = f"{name} ended on {ended}"
    replacement = calendar.replacement(programme=period.programme, on=on)
    if replacement is not None:
        successor = PROGRAMMES.get(replacement)
        reason += f"; it was replaced by {successor.short_name if successor else replacement.value}"
    return reason


class ProgrammeEligibility:
    """The built-in eligibility check, as a plug-in object configured with thresholds.

    It answers for the programmes of :data:`PROGRAMMES`, in this order:

    0. a programme not in force on the date (see :data:`~wladna_core.model.PROGRAMME_CALENDAR`)
       is not open to anyone, and the answer names what replaced it;
    1. a household enrolled in the programme on the date is eligible;
    2. a household not registered in the RSU is not eligible for a programme that requires it;
    3. a household whose RSU index is above the programme's threshold is not eligible; at or
       below it, it is.

    It has no opinion (``None``) on ``other`` programmes, on a programme without a threshold
    once the RSU condition is met, and on a household whose index is not recorded.

    :param settings: the thresholds to compare with.
    """

    def __init__(self, settings: EligibilitySettings) -> None:
        if not isinstance(cast("object", settings), EligibilitySettings):
            msg = f"settings must be EligibilitySettings, got {type(settings).__name__}"
            raise TypeError(msg)
        self.settings = settings

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict(self.settings.thresholds)!r}>"

    @hookimpl
    def wladna_programme_eligibility(
        self, family: Family, programme: SocialProgramme, on: date
    ) -> EligibilityResult | None:
        """Answer from the family's enrolments, RSU registration and index."""
        known = PROGRAMMES.get(programme)
        if known is None:
            return None
        name = known.short_name
        period = self.settings.calendar.period(programme)
        if not period.in_force(on):
            return EligibilityResult(
                programme,
                False,
                _not_in_force(name, period, on, self.settings.calendar),
                _dates(period),
            )
        if _enrolled(family, programme, on):
            reason = f"the household is already enrolled in {name}"
            return EligibilityResult(programme, True, reason, "enrolments of the household")
        if known.requires_rsu and family.rsu_id is None:
            reason = "the household is not registered in the RSU"
            return EligibilityResult(programme, False, reason, _RSU_RULE)
        return self._by_index(family, programme, name)

    def _by_index(
        self, family: Family, programme: SocialProgramme, name: str
    ) -> EligibilityResult | None:
        threshold = self.settings.threshold(programme)
        index = family.socio_economic_index
        if threshold is None or index is None:
            return None
        if index > threshold.value:
            reason = f"RSU index {index} is above the {name} threshold {threshold.value}"
            return EligibilityResult(programme, False, reason, threshold.source)
        reason = f"RSU index {index} is within the {name} threshold {threshold.value}"
        return EligibilityResult(programme, True, reason, threshold.source)


_DEFAULT: Final = ProgrammeEligibility(EligibilitySettings())


@hookimpl
def wladna_programme_eligibility(
    family: Family, programme: SocialProgramme, on: date
) -> EligibilityResult | None:
    """Answer with the default thresholds; see :class:`ProgrammeEligibility`."""
    return _DEFAULT.wladna_programme_eligibility(family, programme, on)


def use_settings(pm: pluggy.PluginManager, settings: EligibilitySettings) -> ProgrammeEligibility:
    """Replace the built-in eligibility check of ``pm`` by one configured with ``settings``.

    The new check is registered under the same name (:data:`PLUGIN_NAME`); calling this again
    replaces it again.  Other plug-ins' checks are left alone.

    :param pm: a plug-in manager, usually from :func:`~wladna_core.plugins.make_plugin_manager`.
    :param settings: the thresholds, e.g. from :meth:`EligibilitySettings.from_settings`.
    :returns: the plug-in now registered.
    """
    from wladna_core.plugins import WladnaPluginManager  # noqa: PLC0415 (plugins imports us)

    plugin = ProgrammeEligibility(settings)
    current = pm.get_plugin(PLUGIN_NAME)
    distribution = None
    if current is not None:
        if isinstance(pm, WladnaPluginManager):
            distribution = pm.distribution_of(current)
        pm.unregister(name=PLUGIN_NAME)
    if isinstance(pm, WladnaPluginManager):
        pm.register_distributed(plugin, PLUGIN_NAME, distribution)
    else:
        pm.register(plugin, name=PLUGIN_NAME)
    return plugin


# --- warnings for a referral ---------------------------------------------------------------------

#: What ``referral.programme_ineligible`` says, in English, French and Arabic.
INELIGIBLE_MESSAGE: Final = Message(
    message=Text(
        "The family is found ineligible for {programme} ({source}): {reason}.",
        "La famille est jugée non éligible au programme {programme} ({source}) : {reason}.",
        "تبيّن أن الأسرة غير مؤهلة لبرنامج {programme} ({source}): {reason}.",
    ),
    remedy=Text(
        "Check the household's RSU registration and index with the family before referring it; "
        "if the answer stands, refer the family to a service it can receive.",
        "Vérifiez avec la famille son inscription au RSU et son indice avant de l'orienter ; si "
        "la réponse se confirme, orientez-la vers un service auquel elle a droit.",
        "تحقّق مع الأسرة من تسجيلها في السجل الاجتماعي الموحد ومن مؤشرها قبل إحالتها؛ وإن تأكّد "
        "الجواب فأحِلها إلى خدمة يحق لها الاستفادة منها.",
    ),
)


def programme_warnings(
    results: Sequence[EligibilityResult], path: str, record: str, *, lang: str = "en"
) -> list[Violation]:
    """Return one ``referral.programme_ineligible`` warning per negative eligibility answer.

    A referral to a programme the family is found ineligible for is not refused: the warning
    asks the case worker to look, with the reason each plug-in gave.

    >>> from wladna_core.model import SocialProgramme
    >>> answer = EligibilityResult(
    ...     SocialProgramme.ASD, False, "the household is not registered in the RSU", "RSU"
    ... )
    >>> [warning] = programme_warnings([answer], "$.target", "Referral 0193")
    >>> print(warning)  # doctest: +NORMALIZE_WHITESPACE
    warning: Referral 0193 $.target [referral.programme_ineligible] The family is found
    ineligible for Direct social support (ASD) (RSU): the household is not registered in the
    RSU. Check the household's RSU registration and index with the family before referring it;
    if the answer stands, refer the family to a service it can receive.

    :param results: the answers, e.g. from :func:`wladna_core.plugins.eligibility_from`.
    :param path: where in the referral the programme is named, usually ``$.target``.
    :param record: which record the warnings are about, e.g. ``Referral 0193...``.
    :param lang: the language of the messages: ``en``, ``fr`` or ``ar``.
    :raises ValueError: for an unknown ``lang``.
    :raises TypeError: if a result is not an :class:`~wladna_core.hookspecs.EligibilityResult`.
    """
    warnings = []
    for result in results:
        if not isinstance(cast("object", result), EligibilityResult):
            msg = f"results must be EligibilityResult objects, got {type(result).__name__}"
            raise TypeError(msg)
        if result.eligible:
            continue
        known = PROGRAMMES.get(result.programme)
        name = known.name.in_language(lang) if known else result.programme.value
        params = {
            "programme": name,
            "source": result.source or "?",
            "reason": result.reason.rstrip(". "),
        }
        message, remedy = render(INELIGIBLE_MESSAGE, lang, params)
        warnings.append(
            Violation(
                code=INELIGIBLE_CODE,
                path=path,
                message=message,
                severity=Severity.WARNING,
                record=record,
                remedy=remedy,
            )
        )
    return warnings

"""Deployment settings of the case-management rules, with documented defaults.

The closure approval, the warning before a child comes of age and the age bands in which the
child's own assent or consent is sought are **configuration, not law** (see ``docs/consent.md``
and ``docs/validation.md`` for the reasoning and the sources): a deployment sets its own under
the ``case_rules`` key of its settings (:meth:`CaseRuleSettings.from_settings`).

>>> settings = CaseRuleSettings.from_settings({"case_rules": {"assent_bands": [
...     {"from_age": 0, "seek": "none"},
...     {"from_age": 6, "seek": "assent"},
...     {"from_age": 15, "seek": "consent"},
... ]}})
>>> settings.band_for(9).seek, settings.band_for(16).seek, settings.assent_from_age
(<AgreementSought.ASSENT: 'assent'>, <AgreementSought.CONSENT: 'consent'>, 6)
>>> CaseRuleSettings.from_settings({"case_rules": {"assent_from_age": 10}}).assent_bands
(AssentBand(from_age=0, seek=<AgreementSought.NONE: 'none'>), \
AssentBand(from_age=10, seek=<AgreementSought.ASSENT: 'assent'>))
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, cast

import attrs

from wladna_core.errors import SettingsError
from wladna_core.model import RiskLevel

__all__ = [
    "DEFAULT_ASSENT_BANDS",
    "DEFAULT_ASSENT_FROM_AGE",
    "DEFAULT_CLOSURE_APPROVAL_RISKS",
    "DEFAULT_TURNS_18_LEAD_DAYS",
    "SETTINGS_KEY",
    "AgreementSought",
    "AssentBand",
    "CaseRuleSettings",
    "CaseRuleSettingsError",
]

#: The deployment setting that holds the case-management rule settings: ``{name: value}``.
SETTINGS_KEY: Final = "case_rules"
#: The risk levels at which closing a case needs a supervisor's approval, by default.
DEFAULT_CLOSURE_APPROVAL_RISKS: Final = frozenset({RiskLevel.HIGH})
#: How many days before a child's 18th birthday an active case is flagged, by default.
DEFAULT_TURNS_18_LEAD_DAYS: Final = 90
#: From what age the child's own assent is sought, by default (unverified: configuration).
DEFAULT_ASSENT_FROM_AGE: Final = 12
#: The age of majority, from which no band applies: the person consents for themselves.
_MAJORITY: Final = 18

_RISKS: Final = ", ".join(level.value for level in RiskLevel)


class AgreementSought(enum.StrEnum):
    """What is sought of the child themselves in an age band, beside the consent on record."""

    #: Nothing of the child's own: the consent of a caregiver, guardian or court stands alone
    #: (the child is still told, in words they understand, what will happen).
    NONE = "none"
    #: The child's **assent** beside the consent of a caregiver, guardian or court.
    ASSENT = "assent"
    #: The child's own **consent**: given by the child, or their agreement recorded beside a
    #: caregiver's consent.
    CONSENT = "consent"


_SOUGHT: Final = ", ".join(sought.value for sought in AgreementSought)


@attrs.frozen
class AssentBand:
    """From an age until the next band (or 18), what is sought of the child themselves.

    :param from_age: the age in whole years from which the band applies (0 to 17).
    :param seek: what is sought of the child in the band.
    """

    from_age: int
    seek: AgreementSought = attrs.field(converter=AgreementSought)


#: The bands by default: the child's assent from :data:`DEFAULT_ASSENT_FROM_AGE`, nothing of
#: their own before it (unverified: configuration, see ``docs/consent.md``).
DEFAULT_ASSENT_BANDS: Final = (
    AssentBand(0, AgreementSought.NONE),
    AssentBand(DEFAULT_ASSENT_FROM_AGE, AgreementSought.ASSENT),
)

_BANDS_EXAMPLE: Final = (
    "Write a list of bands from age 0 in rising order, each {'from_age': <0 to 17>, "
    f"'seek': <one of {_SOUGHT}>}}, e.g. [{{'from_age': 0, 'seek': 'none'}}, "
    "{'from_age': 12, 'seek': 'assent'}]."
)


def _band(index: int, item: object) -> AssentBand:
    key = _key(f"assent_bands[{index}]")
    if isinstance(item, AssentBand):
        age, seek = cast("object", item.from_age), cast("object", item.seek)
    elif isinstance(item, Mapping) and set(item) == {"from_age", "seek"}:
        age, seek = item["from_age"], item["seek"]
    else:
        raise CaseRuleSettingsError(
            key, item, "a band is a mapping of from_age and seek, and nothing else", _BANDS_EXAMPLE
        )
    if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age < _MAJORITY:
        raise CaseRuleSettingsError(
            f"{key}.from_age", age, "it is an age in whole years from 0 to 17", _BANDS_EXAMPLE
        )
    if not isinstance(seek, str) or seek not in AgreementSought.__members__.values():
        raise CaseRuleSettingsError(
            f"{key}.seek", seek, f"it is what is sought of the child: {_SOUGHT}", _BANDS_EXAMPLE
        )
    return AssentBand(age, AgreementSought(seek))


def _bands(value: object) -> tuple[AssentBand, ...]:
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence) or not value:
        raise CaseRuleSettingsError(
            _key("assent_bands"), value, "it lists the age bands, from age 0", _BANDS_EXAMPLE
        )
    bands = tuple(_band(index, item) for index, item in enumerate(cast("Sequence[object]", value)))
    for index, band in enumerate(bands):
        low = 0 if index == 0 else bands[index - 1].from_age + 1
        if (index == 0 and band.from_age != 0) or band.from_age < low:
            reason = (
                "the first band starts at age 0"
                if index == 0
                else f"each band starts after the one before it (at {low} or later)"
            )
            raise CaseRuleSettingsError(
                _key(f"assent_bands[{index}].from_age"), band.from_age, reason, _BANDS_EXAMPLE
            )
    return bands


class CaseRuleSettingsError(SettingsError):
    """A ``case_rules`` setting is not usable (see :class:`~wladna_core.errors.SettingsError`)."""


def _key(name: str) -> str:
    return f"{SETTINGS_KEY}.{name}"


def _risks(value: object) -> frozenset[RiskLevel]:
    items = [value] if isinstance(value, str) else value
    if isinstance(items, Iterable) and not isinstance(items, Mapping):
        found: set[RiskLevel] = set()
        for item in cast("Iterable[object]", items):
            if not isinstance(item, str) or item not in RiskLevel.__members__.values():
                break
            found.add(RiskLevel(item))
        else:
            return frozenset(found)
    raise CaseRuleSettingsError(
        _key("closure_approval_risks"),
        value,
        "it lists the risk levels at which closing a case needs a supervisor's approval",
        f"Write a list of risk levels among {_RISKS}, e.g. ['high'] (or [] for none).",
    )


def _whole(low: int, high: int, meaning: str, example: int) -> Any:
    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise CaseRuleSettingsError(
                _key(attribute.name),
                value,
                f"it is {meaning}, a whole number from {low} to {high}",
                f"Write e.g. {example}.",
            )

    return check


@attrs.frozen(init=False)
class CaseRuleSettings:
    """How the case-management rules and services behave in a deployment.

    :param closure_approval_risks: the risk levels at which a case worker's closure is a request
        that a supervisor of the body approves or declines; default ``high``.  An empty set lets
        every case close as a case worker asks.
    :param turns_18_lead_days: how many days before the child's 18th birthday an active case is
        flagged (rule ``case.child_turns_18``); default 90.
    :param assent_bands: the age bands, from 0, each saying what is sought of the child
        themselves (:class:`AssentBand`; rules ``case.assent_missing`` and
        ``case.child_consent_below_band``); default: nothing before 12, the child's assent from
        12.  Not fixed by a text we could find: configuration.
    :param assent_from_age: a shorthand for two bands, nothing before that age and the child's
        assent from it; not given with ``assent_bands``.
    :raises CaseRuleSettingsError: naming the setting at fault.
    """

    closure_approval_risks: frozenset[RiskLevel] = attrs.field(
        default=DEFAULT_CLOSURE_APPROVAL_RISKS, converter=_risks
    )
    turns_18_lead_days: int = attrs.field(
        default=DEFAULT_TURNS_18_LEAD_DAYS,
        validator=_whole(0, 3660, "a number of days before the 18th birthday", 90),
    )
    assent_bands: tuple[AssentBand, ...] = attrs.field(
        default=DEFAULT_ASSENT_BANDS, converter=_bands
    )

    def __init__(
        self,
        closure_approval_risks: Iterable[RiskLevel | str] | RiskLevel | str = (
            DEFAULT_CLOSURE_APPROVAL_RISKS
        ),
        turns_18_lead_days: int = DEFAULT_TURNS_18_LEAD_DAYS,
        assent_bands: Sequence[AssentBand | Mapping[str, object]] | None = None,
        assent_from_age: int | None = None,
    ) -> None:
        """Check each setting; ``assent_from_age`` stands for two bands (see the class)."""
        if assent_from_age is not None:
            if assent_bands is not None:
                raise CaseRuleSettingsError(
                    _key("assent_from_age"),
                    assent_from_age,
                    "it is a shorthand for assent_bands, which are given too",
                    "Keep assent_bands and remove assent_from_age.",
                )
            if (
                isinstance(assent_from_age, bool)
                or not isinstance(assent_from_age, int)
                or not 0 <= assent_from_age <= _MAJORITY
            ):
                raise CaseRuleSettingsError(
                    _key("assent_from_age"),
                    assent_from_age,
                    "it is the age from which the child's assent is sought, a whole number "
                    "from 0 to 18",
                    "Write e.g. 12 (18 seeks it of no child).",
                )
            assent_bands = (
                (AssentBand(0, AgreementSought.ASSENT),)
                if assent_from_age == 0
                else (
                    AssentBand(0, AgreementSought.NONE),
                    *(
                        (AssentBand(assent_from_age, AgreementSought.ASSENT),)
                        if assent_from_age < _MAJORITY
                        else ()
                    ),
                )
            )
        self.__attrs_init__(
            closure_approval_risks,
            turns_18_lead_days,
            DEFAULT_ASSENT_BANDS if assent_bands is None else assent_bands,
        )

    def band_for(self, age: int) -> AssentBand:
        """Return the band of a child of ``age`` whole years (the last band from 18 on)."""
        found = self.assent_bands[0]
        for band in self.assent_bands:
            if band.from_age > age:
                break
            found = band
        return found

    @property
    def assent_from_age(self) -> int | None:
        """The age from which anything of the child's own is sought, or ``None`` if never."""
        for band in self.assent_bands:
            if band.seek is not AgreementSought.NONE:
                return band.from_age
        return None

    def needs_closure_approval(self, risk: RiskLevel) -> bool:
        """Return whether closing a case of ``risk`` needs a supervisor's approval."""
        return risk in self.closure_approval_risks

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> CaseRuleSettings:
        """Read the settings under ``case_rules`` over the defaults; other keys are ignored.

        :raises CaseRuleSettingsError: for a section that is not a mapping, an unknown name or
            an unusable value.
        """
        section = settings.get(SETTINGS_KEY) if isinstance(settings, Mapping) else None
        if section is None:
            return cls()
        names = [field.name for field in attrs.fields(cls)] + ["assent_from_age"]
        if not isinstance(section, Mapping):
            raise CaseRuleSettingsError(
                SETTINGS_KEY,
                section,
                "it must map setting names to values",
                f"Use the names {', '.join(names)}.",
            )
        for name, value in section.items():
            if name not in names:
                raise CaseRuleSettingsError(
                    _key(str(name)),
                    value,
                    "not a case rule setting",
                    f"Use one of: {', '.join(names)}.",
                )
        return cls(**{str(name): value for name, value in section.items()})

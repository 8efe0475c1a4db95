from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from decimal import Decimal
from html.parser import HTMLParser
from typing import TYPE_CHECKING

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from wladna_core.plugins import make_plugin_manager, renderers_from
from wladna_core.renderers import Table
from wladna_core.reporting import SUPPRESSED, Report, ReportTable
from wladna_core.reporting.build import available_indicators
from wladna_core.reporting.indicators import Indicator
from wladna_core.training.indicators import TRAINING_INDICATORS

import wladna_report_html
from wladna_report_html import plugin, render, render_report, render_table
from wladna_report_html.charts import PALETTE, ticks
from wladna_report_html.labels import (
    DEFINITIONS,
    DIMENSIONS,
    INDICATORS,
    MEASURES,
    VALUES,
    format_number,
    indicator_title,
    is_share,
    measure_label,
    value_label,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from wladna_core.storage import Store

SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)


class Page(HTMLParser):
    """Everything the tests look at in a page: tags, attributes, text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def count(self, tag: str) -> int:
        return sum(1 for name, _ in self.tags if name == tag)

    def first(self, tag: str) -> dict[str, str | None]:
        return next(attrs for name, attrs in self.tags if name == tag)

    def all_text(self) -> str:
        return "".join(self.text)


def svgs(page: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in SVG.findall(page)]


def assert_self_contained(page: str) -> None:
    parsed = Page(page)
    assert parsed.count("script") == 0
    assert parsed.count("link") == 0
    assert parsed.count("img") == 0
    for _, attrs in parsed.tags:
        for name in ("src", "href", "xlink:href", "action"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(https?:)?//", value, re.IGNORECASE), (name, value)
    assert "url(" not in page
    assert "@import" not in page


# --- the page as a whole -------------------------------------------------------------------


def test_a_report_has_one_section_table_and_chart_per_indicator(sample_report: Report) -> None:
    page = render_report(sample_report).decode("utf-8")
    parsed = Page(page)
    assert page.startswith("<!DOCTYPE html>")
    assert parsed.count("section") == len(sample_report.tables) == 4
    assert parsed.count("table") == 4
    assert parsed.count("svg") == 4
    assert len(svgs(page)) == 4


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_the_page_needs_nothing_outside_itself(sample_report: Report, lang: str) -> None:
    assert_self_contained(render_report(sample_report, lang).decode("utf-8"))


def test_french_is_left_to_right_and_arabic_right_to_left(sample_report: Report) -> None:
    french = Page(render_report(sample_report, "fr").decode())
    arabic = Page(render_report(sample_report, "ar").decode())
    assert french.first("html") == {"lang": "fr", "dir": "ltr"}
    assert arabic.first("html") == {"lang": "ar", "dir": "rtl"}
    assert {attrs["direction"] for name, attrs in french.tags if name == "svg"} == {"ltr"}
    assert {attrs["direction"] for name, attrs in arabic.tags if name == "svg"} == {"rtl"}


def test_labels_are_translated(sample_report: Report) -> None:
    french = Page(render_report(sample_report, "fr").decode()).all_text()
    arabic = Page(render_report(sample_report, "ar").decode()).all_text()
    for words in ("Dossiers ouverts", "Province ou préfecture", "Filles", "Garçons", "Salé"):
        assert words in french
    assert "Orientations effectuées, acceptées, refusées et terminées" in french
    assert "Taux d'acceptation" in french
    assert "du 1er janvier 2026 au 31 décembre 2026" in french
    for words in ("الملفات المفتوحة", "الإقليم أو العمالة", "إناث", "ذكور", "سلا", "مرتفع"):
        assert words in arabic
    assert "من 1 يناير 2026 إلى 31 دجنبر 2026" in arabic


def test_numbers_are_written_for_the_language(sample_report: Report) -> None:
    french = Page(render_report(sample_report, "fr").decode()).all_text()
    arabic = Page(render_report(sample_report, "ar").decode()).all_text()
    assert "2\u202f310" in french
    assert "75,0\u202f%" in french
    assert "6,5" in french
    assert "2.310" in arabic
    assert "75,0%" in arabic


def test_counts_in_a_share_table_stay_counts(sample_report: Report) -> None:
    text = Page(render_report(sample_report, "fr").decode()).all_text()
    assert "40" in text
    assert "4\u202f000,0" not in text
    assert "71,7\u202f%" in text


def test_suppressed_cells_show_the_marker_and_the_legend_explains_it(
    sample_report: Report,
) -> None:
    page = render_report(sample_report, "fr").decode()
    cells = re.findall(r'<td class="n suppressed"><abbr title="[^"]+">([^<]*)</abbr></td>', page)
    assert cells == [SUPPRESSED] * 3  # two provinces and the total
    assert "confidentiel : masqué pour protéger la vie privée des enfants" in page
    assert "Rapport public : les effectifs inférieurs à 5 sont masqués" in page


def test_a_withheld_value_draws_no_bar_but_keeps_its_line(sample_report: Report) -> None:
    page = render_report(sample_report, "fr").decode()
    opened = svgs(page)[0]
    assert len(opened.findall(".//rect")) == 3  # five provinces, two withheld
    assert len(opened.findall("./g/title")) == 5
    assert [text.text for text in opened.iter("text") if text.get("class") == "value"] == [
        "124",
        "87",
        "2\u202f310",
        SUPPRESSED,
        SUPPRESSED,
    ]


def test_every_chart_has_an_accessible_name_and_description(sample_report: Report) -> None:
    for svg in svgs(render_report(sample_report, "fr").decode()):
        assert svg.get("role") == "img"
        labelled_by = (svg.get("aria-labelledby") or "").split()
        ids = {element.get("id"): element for element in svg if element.get("id")}
        assert [ids[name].tag for name in labelled_by] == ["title", "desc"]
        assert all((ids[name].text or "").strip() for name in labelled_by)


def test_shares_are_charted_on_a_scale_to_100_percent() -> None:
    table = ReportTable(
        indicator="referrals_accepted_share",
        title="Share of referrals accepted",
        dimensions=("service",),
        measures=("answered", "share"),
        body=(("medical", 40, 0.75), ("education", 12, 5 / 12)),
        unit="share",
    )
    chart = svgs(render_table(table, "fr").decode())[0]
    axis = [text.text for text in chart.iter("text") if text.get("text-anchor") == "middle"]
    assert axis[0] == "0\u202f%"
    assert axis[-1] == "100\u202f%"
    values = [text.text for text in chart.iter("text") if text.get("class") == "value"]
    assert values == ["75,0\u202f%", "41,7\u202f%"]


def test_two_dimensions_draw_a_block_per_value_of_the_first(sample_report: Report) -> None:
    caseload = svgs(render_report(sample_report, "fr").decode())[2]
    groups = [text.text for text in caseload.iter("text") if text.get("class") == "group"]
    assert groups == ["Salé", "Rabat"]
    colours = [rect.get("fill") for rect in caseload.iter("rect")]
    assert colours == [PALETTE[0], PALETTE[1], PALETTE[0], PALETTE[1]]


def test_arabic_charts_put_labels_on_the_right_of_the_bars(sample_report: Report) -> None:
    def label_and_bar(lang: str) -> tuple[float, float]:
        svg = svgs(render_report(sample_report, lang).decode())[0]
        bar = next(group for group in svg.findall("./g") if group.get("class") != "axis")
        label = next(text for text in bar.iter("text") if text.get("text-anchor") == "end")
        rect = bar.find("rect")
        assert rect is not None
        return float(label.get("x") or 0), float(rect.get("x") or 0)

    label_x, bar_x = label_and_bar("fr")
    assert label_x < bar_x
    label_x, bar_x = label_and_bar("ar")
    assert label_x > bar_x


def test_hostile_text_is_escaped() -> None:
    hostile = '<script>alert("x")</script>'
    table = ReportTable(
        indicator=hostile,
        title=hostile,
        dimensions=(hostile,),
        measures=(hostile,),
        body=((hostile, 3), ("a & b", hostile)),
        totals=(3,),
        unit=hostile,
        definition=hostile,
    )
    filters = {hostile: hostile}
    report = Report(title=hostile, tables=(table,), filters=filters)
    page = render_report(report)
    text = page.decode()
    assert "<script>" not in text
    assert_self_contained(text)
    assert hostile in Page(text).all_text()
    assert len(svgs(text)) == 1


def test_control_characters_become_replacement_characters() -> None:
    table = ReportTable("odd", "Bell\x07 and NUL\x00", ("x",), ("count",), body=(("\x1b", 1),))
    text = render_table(table).decode()
    assert "\x07" not in text
    assert "\x00" not in text
    assert "Bell\ufffd and NUL\ufffd" in text
    assert len(svgs(text)) == 1


def test_an_unknown_indicator_keeps_its_own_title_and_names() -> None:
    table = ReportTable("visits_home", "Home visits", ("district",), ("visits",), (("Nord", 4),))
    text = Page(render_table(table, "ar").decode()).all_text()
    assert "Home visits" in text
    assert "district" in text
    assert "visits" in text
    assert "Nord" in text


def test_a_table_without_rows_still_gets_its_chart_and_table() -> None:
    table = ReportTable("cases_opened", "Cases opened", ("province",), ("count",))
    page = render_table(table, "fr").decode()
    assert Page(page).count("table") == 1
    assert "Aucun chiffre." in page
    assert len(svgs(page)) == 1


def test_a_table_without_dimensions_charts_its_single_figure() -> None:
    table = ReportTable("cases_opened", "Cases opened", (), ("count",), ((12,),), totals=(12,))
    svg = svgs(render_table(table, "fr").decode())[0]
    assert len(svg.findall(".//rect")) == 1


def test_a_plain_tabular_gets_a_table_without_chart() -> None:
    table = Table("Bodies", ("name", "cases"), [("CAPE Salé", 1234), ("UPE Rabat", None)])
    page = render(table, "fr").decode()
    parsed = Page(page)
    assert parsed.count("table") == 1
    assert parsed.count("svg") == 0
    assert "1\u202f234" in parsed.all_text()


def test_a_nan_figure_is_refused_naming_the_table() -> None:
    table = ReportTable("cases_opened", "Cases opened", ("province",), ("count",), (("x", 1.0),))
    nan = ReportTable("cases_opened", "Cases opened", ("p",), ("count",), (("x", float("nan")),))
    render_table(table)
    with pytest.raises(ValueError, match=r"table 'cases_opened', row 0, 'count'.*write None"):
        render_table(nan)


def test_an_unknown_language_is_refused(sample_report: Report) -> None:
    with pytest.raises(ValueError, match=r"exists in en, fr, ar; got lang='de'"):
        render_report(sample_report, lang="de")


# --- the plug-in -----------------------------------------------------------------------------


def test_the_plugin_offers_the_html_renderers(sample_report: Report) -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    pm.register(plugin, name="html")
    try:
        renderers = renderers_from(pm)
    finally:
        pm.unregister(name="html")
    html, arabic = renderers["html"], renderers["html-ar"]
    assert (html.media_type, html.suffix) == ("text/html; charset=utf-8", ".html")
    assert html.render(sample_report) == render_report(sample_report, "fr")  # type: ignore[arg-type]
    assert arabic.render(sample_report) == render_report(sample_report, "ar")  # type: ignore[arg-type]
    table = sample_report.tables[0]
    assert html.render(table) == render_table(table, "fr")


def test_the_installed_distribution_is_found_through_its_entry_point() -> None:
    renderers = renderers_from(make_plugin_manager())
    assert renderers["html"] == wladna_report_html.HTML
    assert renderers["html-ar"] == wladna_report_html.HTML_ARABIC


# --- labels and numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "dimension", "lang", "label"),
    [
        ("0-5", "age_band", "fr", "0 à 5 ans"),
        ("12-17", "age_band", "ar", "من 12 إلى 17 سنة"),
        ("31-90", "duration_band", "fr", "31 à 90 jours"),
        ("<=30", "duration_band", "fr", "≤ 30 jours"),
        (">180", "duration_band", "ar", "> 180 يوما"),
        ("10-19", "caseload_band", "fr", "10 à 19"),
        ("<10", "caseload_band", "fr", "moins de 10"),
        ("30+", "caseload_band", "ar", "30 فأكثر"),
        ("2026-Q1", "quarter", "fr", "T1 2026"),
        ("2026-08", "month", "ar", "غشت 2026"),
        ("2026-13", "month", "fr", "2026-13"),
        ("MA-04", "region", "fr", "Rabat-Salé-Kénitra"),
        ("other", "concern", "ar", "أخرى"),
        ("unheard-of", "concern", "fr", "unheard-of"),
    ],
)
def test_dimension_values_are_named_in_the_language(
    value: str, dimension: str, lang: str, label: str
) -> None:
    assert value_label(value, lang, dimension) == label


@pytest.mark.parametrize(
    ("value", "lang", "share", "text"),
    [
        (0, "fr", False, "0"),
        (1234567, "fr", False, "1\u202f234\u202f567"),
        (1234567, "ar", False, "1.234.567"),
        (1234567, "en", False, "1,234,567"),
        (2.0, "fr", False, "2"),
        (1234.25, "fr", False, "1\u202f234,2"),
        (1234.25, "ar", False, "1.234,2"),
        (Decimal("7.50"), "fr", False, "7,5"),
        (0.5, "fr", True, "50,0\u202f%"),
        (1, "ar", True, "100,0%"),
        (2 / 3, "en", True, "66.7%"),
    ],
)
def test_numbers_are_formatted_for_the_reader(
    value: float, lang: str, share: bool, text: str
) -> None:
    assert format_number(value, lang, share=share) == text


def test_measures_that_are_shares() -> None:
    assert is_share("rate", "count")
    assert is_share("within_deadline_share", "days")
    assert is_share("something", "share")
    assert not is_share("made", "share")
    assert not is_share("count", "share")
    assert not is_share("something", "count")


def test_indicator_titles_fall_back_to_the_table_title() -> None:
    assert indicator_title("cases_opened", "Cases opened", "fr") == "Dossiers ouverts"
    assert indicator_title("cases_opened", "Cases opened", "en") == "Cases opened"
    assert indicator_title("new_one", "A new one", "ar") == "A new one"


# --- properties ------------------------------------------------------------------------------

NAMES = st.sampled_from(
    ["province", "region", "sex", "risk", "concern", "month", "age_band", "duration_band"]
) | st.text(min_size=1, max_size=12)
MEASURE_NAMES = st.sampled_from(["count", "made", "rate", "share", "median_days"]) | st.text(
    min_size=1, max_size=12
)
DIMENSION_VALUES = st.one_of(
    st.none(),
    st.sampled_from(["MA-SAL", "MA-04", "female", "high", "2026-03", "2026-Q2", "0-5", ">180"]),
    st.text(max_size=40),
    st.integers(),
    st.dates(),
    st.booleans(),
)
MEASURE_VALUES = st.one_of(
    st.none(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-(10**9), max_value=10**9, places=3),
    st.booleans(),
    st.text(max_size=10),
)


@st.composite
def report_tables(draw: st.DrawFn) -> ReportTable:
    dimensions = draw(st.lists(NAMES, max_size=3, unique=True))
    measures = draw(st.lists(MEASURE_NAMES, min_size=1, max_size=3, unique=True))
    size = draw(st.integers(min_value=0, max_value=8))
    body = [
        tuple(draw(DIMENSION_VALUES) for _ in dimensions)
        + tuple(draw(MEASURE_VALUES) for _ in measures)
        for _ in range(size)
    ]
    totals = draw(st.none() | st.tuples(*(MEASURE_VALUES for _ in measures)))
    positions = st.tuples(
        st.integers(min_value=-1 if totals is not None else 0, max_value=size - 1),
        st.integers(min_value=0, max_value=len(measures) - 1),
    )
    suppressed = draw(st.frozensets(positions, max_size=6)) if size or totals else frozenset()
    return ReportTable(
        indicator=draw(st.sampled_from(["cases_opened", "referrals"]) | st.text(max_size=20)),
        title=draw(st.text(max_size=40)),
        dimensions=dimensions,
        measures=measures,
        body=body,
        totals=totals,
        suppressed=suppressed,
        unit=draw(st.sampled_from(["count", "share", "days"]) | st.text(max_size=8)),
        definition=draw(st.text(max_size=60)),
    )


@given(
    tables=st.lists(report_tables(), max_size=4),
    title=st.text(max_size=40),
    lang=st.sampled_from(["fr", "ar", "en"]),
)
# A value so close to 0 that halving it gives 0 once divided the chart's scale by zero.
@example(
    tables=[
        ReportTable(
            "cases_opened", "", ("province",), ("count",), body=((None, 5e-324),), unit="count"
        )
    ],
    title="",
    lang="fr",
)
def test_any_report_renders_to_a_well_formed_self_contained_page(
    tables: list[ReportTable], title: str, lang: str
) -> None:
    page = render_report(Report(title=title, tables=tables), lang).decode("utf-8")
    parsed = Page(page)
    assert parsed.count("section") == len(tables)
    assert parsed.count("table") == len(tables)
    assert parsed.count("svg") == len(tables)
    charts = svgs(page)  # raises if any chart is not well-formed XML
    assert len(charts) == len(tables)
    for table, chart in zip(tables, charts, strict=True):
        assert len(chart.findall("./g/title")) == (len(table.body) if table.measures else 0)
    assert_self_contained(page)


@given(
    low=st.floats(max_value=0, allow_nan=False, allow_infinity=False),
    high=st.floats(min_value=0, allow_nan=False, allow_infinity=False, exclude_min=True),
)
def test_axis_ticks_are_finite_ordered_and_within_the_scale(low: float, high: float) -> None:
    values = ticks(low, high)
    assert values
    assert values == sorted(values)
    assert all(low <= value <= high for value in values)


def test_measures_named_after_values_take_the_values_name() -> None:
    assert measure_label("goals_achieved", "fr") == "Objectifs atteints"
    assert measure_label("days_over_180", "ar") == "أكثر من 180 يوما"
    assert measure_label("visits", "fr") == "visits"


# --- wholly Arabic, wholly French ------------------------------------------------------------

# The codes of training units the pages show (a unit is named by its code, in every language).
UNIT_CODES = ("BI-01", "PE-RUE", "DTIPE-PIL")
# What may stay in Latin letters on an Arabic page: codes, never words.
CODES = re.compile(
    r"MA-[0-9A-Z]{2,3}"  # a territory code the gazetteer does not name
    r"|[0-9a-f]{8}-[0-9a-f-]+\u2026?"  # a body's id, perhaps shortened on a chart
    r"|"
    + "|".join(map(re.escape, UNIT_CODES))  # a training unit's code
    + r"|"
    + re.escape(SUPPRESSED)  # the mark of a withheld figure
)
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


class Text(HTMLParser):
    """The text a reader sees (and hears: titles of charts), without the style sheet."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._in_style = False
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        for name, value in attrs:
            if name in {"title", "aria-label"} and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if not self._in_style:
            self.parts.append(data)


def _indicators() -> list[Indicator]:
    """Every indicator the built-in plug-ins offer: casework, training, and any added since."""
    return list(available_indicators(make_plugin_manager(load_entrypoints=False)).values())


def _dimension_values(dimension: str, indicator: str) -> list[object]:
    from wladna_core.casefile.care import CareType  # noqa: PLC0415
    from wladna_core.model import (  # noqa: PLC0415 (only this helper needs them)
        BodyKind,
        CaseStatus,
        Gazetteer,
        ProtectionConcern,
        RiskLevel,
        ServiceType,
        Sex,
        SocialProgramme,
    )
    from wladna_core.training import NeedCode, SessionMode, StaffRole  # noqa: PLC0415

    morocco = Gazetteer.morocco()
    values: dict[str, list[object]] = {
        "province": [t.code for t in morocco.provinces()],
        "region": [t.code for t in morocco.regions()],
        "territory": [t.code for t in morocco],
        "body": ["0193a7e2-5c1d-7b3e-9f00-2a4b6c8d0e1f"],
        "month": ["2026-01", "2026-12"],
        "quarter": ["2026-Q1", "2026-Q4"],
        "year": ["2026"],
        "risk": list(RiskLevel),
        "concern": list(ProtectionConcern),
        "sex": list(Sex),
        "age_band": ["0-5", "6-11", "12-17"],
        "status": list(CaseStatus),
        "service": list(ServiceType),
        "programme": list(SocialProgramme),
        "body_kind": list(BodyKind),
        "role": list(StaffRole),
        "mode": list(SessionMode),
        "unit": list(UNIT_CODES),
        "need": list(NeedCode),
        "care_type": list(CareType),
    }
    assert dimension in values, (
        f"indicator {indicator!r} has the dimension {dimension!r}, whose values this test does "
        f"not know: add them to _dimension_values in {__file__} (and their French and Arabic "
        "names to VALUES in wladna_report_html/labels.py)"
    )
    return [str(value) for value in values[dimension]] + [None]


def every_builtin_indicator_report() -> Report:
    """A report of every indicator the built-in plug-ins offer, whole and by each dimension.

    That is the information base's (casework) indicators, the training programme's
    (``training_*``) and any indicator a built-in plug-in adds: each must have its French and
    Arabic labels (:func:`test_every_indicator_has_french_and_arabic_labels` names those
    missing).
    """
    from wladna_core.reporting import Period, Privacy  # noqa: PLC0415
    from wladna_core.reporting.build import DEFAULT_TITLE  # noqa: PLC0415

    tables = []
    for indicator in _indicators():
        measures = indicator.measures
        figures = tuple(range(1, len(measures) + 1))
        for dimension in (None, *indicator.dimensions):
            values = [] if dimension is None else _dimension_values(dimension, indicator.name)
            tables.append(
                ReportTable(
                    indicator=indicator.name,
                    title=indicator.title,
                    dimensions=() if dimension is None else (dimension,),
                    measures=measures,
                    body=tuple((value, *figures) for value in values) or (figures,),
                    totals=tuple(range(len(measures))),
                    unit=indicator.unit,
                    definition=indicator.definition,
                )
            )
    return Report(
        title=DEFAULT_TITLE,
        tables=tuple(tables),
        period=Period(date(2026, 1, 1), date(2026, 12, 31)),
        privacy=Privacy.PUBLIC,
        threshold=5,
        filters={"region": "MA-04", "sex": "female"},
        generated_on=date(2027, 1, 15),
    )


def _missing_labels(indicator: Indicator) -> list[str]:
    """The labels ``indicator`` lacks in labels.py, each as the entry to add."""
    missing = []
    if indicator.name not in INDICATORS:
        missing.append(f"INDICATORS[{indicator.name!r}] (its title)")
    missing.extend(
        f"DEFINITIONS[{indicator.name!r}][{lang!r}]"
        for lang in ("fr", "ar")
        if lang not in DEFINITIONS.get(indicator.name, {})
    )
    missing.extend(
        f"MEASURES[{measure!r}]"
        for measure in indicator.measures
        if measure not in MEASURES and measure not in VALUES
    )
    missing.extend(
        f"DIMENSIONS[{dimension!r}]"
        for dimension in indicator.dimensions
        if dimension not in DIMENSIONS
    )
    return missing


def test_every_indicator_has_french_and_arabic_labels() -> None:
    missing = {
        indicator.name: labels
        for indicator in _indicators()
        if (labels := _missing_labels(indicator))
    }
    assert not missing, "add to wladna_report_html/labels.py: " + "; ".join(
        f"{name}: {', '.join(labels)}" for name, labels in missing.items()
    )


def _latin_words(page: str) -> list[str]:
    """The words with Latin letters a reader of ``page`` sees, codes left out."""
    text = CODES.sub(" ", " ".join(Text(page).parts))
    return sorted({word for word in text.split() if LATIN.search(word)})


def test_the_arabic_report_has_no_latin_text_but_codes() -> None:
    report = every_builtin_indicator_report()
    assert {table.indicator for table in report.tables} >= {
        "cases_opened",
        "referrals",
        *(indicator.name for indicator in TRAINING_INDICATORS),
    }
    for table in report.tables:
        # One table at a time, so that a failure names the indicator and its dimension.
        words = _latin_words(render_table(table, "ar").decode())
        assert not words, (
            f"the Arabic page of {table.indicator!r} by {table.dimensions} shows {words}: add "
            "their Arabic names to wladna_report_html/labels.py (VALUES for a dimension's values)"
        )
    assert not _latin_words(render_report(report, "ar").decode())


def test_the_arabic_report_names_every_territory_in_arabic() -> None:
    page = render_report(every_builtin_indicator_report(), "ar").decode()
    text = " ".join(Text(page).parts)
    assert "MA-" not in text
    for name in ("ورزازات", "طنجة أصيلة", "أكادير إداوتنان", "الرباط-سلا-القنيطرة", "تقرير"):
        assert name in text


def test_the_french_report_gives_french_titles_and_definitions() -> None:
    report = every_builtin_indicator_report()
    page = render_report(report, "fr").decode()
    text = " ".join(Text(page).parts)
    for table in report.tables:
        # Not one English title or definition of a built-in indicator is left.
        assert table.definition not in text
        assert f">{table.title}<" not in page
    assert "Rapport" in text
    assert "Le nombre de dossiers ouverts pendant la période" in text
    assert "Taza" in text  # a French territory name


def test_a_title_of_the_callers_own_is_shown_as_given(sample_report: Report) -> None:
    page = render_report(sample_report, "ar").decode()
    assert '<h1 dir="auto">Wladna — Rabat-Salé-Kénitra 2026</h1>' in page


# --- a report of a store's training records ----------------------------------------------------

TRAINING_ON = date(2026, 3, 31)
TRAINING_PERIOD = (date(2026, 1, 1), TRAINING_ON)


def _fill_training(store: Store) -> None:
    """A small programme: every kind of session, every role, evaluations, sites, a warning.

    Each session is evaluated often enough, and every evaluation expresses every need, so that
    no row of evaluation scores or needs is withheld for being small.
    """
    from wladna_core.audit import AuditDraft  # noqa: PLC0415 (only this helper needs them)
    from wladna_core.model import BodyKind, TerritorialBody  # noqa: PLC0415
    from wladna_core.services import WARNING_ACTION  # noqa: PLC0415
    from wladna_core.training import (  # noqa: PLC0415
        Criterion,
        Enrolment,
        Evaluation,
        InternetAccess,
        NeedCode,
        Participant,
        Rating,
        Sector,
        SessionMode,
        SiteLogistics,
        StaffRole,
        TrainingSession,
        TrainingUnit,
    )
    from wladna_core.training.required_units import MISSING_CODE  # noqa: PLC0415

    with store.unit_of_work() as uow:
        committee = TerritorialBody(name="CPPE Salé", kind=BodyKind.CPPE, territory="MA-SAL")
        bodies = uow.bodies.add_many(
            [
                committee,
                TerritorialBody(
                    name="CAPE Salé",
                    kind=BodyKind.CAPE,
                    territory="MA-SAL",
                    secretariat_of=committee.id,
                ),
                TerritorialBody(name="UPE Rabat", kind=BodyKind.UPE, territory="MA-RAB"),
                TerritorialBody(name="EPS Kénitra", kind=BodyKind.EPS, territory="MA-KEN"),
                TerritorialBody(
                    name="Association Skhirate", kind=BodyKind.ASSOCIATION, territory="MA-SKH"
                ),
            ]
        )
        sites = uow.repository(SiteLogistics).add_many(
            SiteLogistics(body.id, date(2026, 1, 5), 30, 10 + 5 * n, access)
            for n, (body, access) in enumerate(zip(bodies, [*InternetAccess] * 2, strict=False))
        )
        units = uow.repository(TrainingUnit).add_many(
            TrainingUnit(code=code, title_ar="وحدة", title_fr="Unité", duration_hours=6)
            for code in UNIT_CODES
        )
        sessions = uow.repository(TrainingSession).add_many(
            TrainingSession(
                units=[unit.id for unit in units[: 1 + n]],
                mode=mode,
                days=[date(2026, 2, 2 + 7 * n), date(2026, 2, 3 + 7 * n)],
                territory=("MA-SAL", "MA-RAB", "MA-KEN")[n],
                capacity=30,
                site_id=None if mode is SessionMode.REMOTE else sites[n].id,
            )
            for n, mode in enumerate(SessionMode)
        )
        people = uow.repository(Participant).add_many(
            Participant(
                f"person-{n}",
                bodies[n % len(bodies)].id,
                role,
                [*Sector][n % len(Sector)],
            )
            for n, role in enumerate([*StaffRole] * 2)
        )
        uow.repository(Enrolment).add_many(
            Enrolment(
                person.id,
                session.id,
                date(2026, 1, 10),
                attended=session.days[: 1 + n % 2],
                completed=n % 2 == 1,
                pre_test=40 + n % 3,
                post_test=50 + n % 5,
            )
            for session in sessions
            for n, person in enumerate(people)
        )
        uow.repository(Evaluation).add_many(
            Evaluation(
                session.id,
                session.days[-1],
                ratings=[Rating(criterion, 1 + n % 5) for criterion in Criterion],
                needs=set(NeedCode) - {NeedCode.OTHER},
            )
            for session in sessions
            for n in range(6)
        )
        detail = f"{MISSING_CODE}: writing casework needs the unit BI-01"
        uow.audit.append(
            [AuditDraft("worker-01", WARNING_ACTION, "Case", None, None, detail=detail)],
            at=datetime(2026, 3, 2, 9, tzinfo=UTC),
        )


def _training_report(store: Store) -> Report:
    """Every training indicator, whole and by each of its dimensions, in one report."""
    from wladna_core.reporting import Period, build_report  # noqa: PLC0415
    from wladna_core.reporting.build import DEFAULT_TITLE  # noqa: PLC0415

    plugins = make_plugin_manager(load_entrypoints=False)
    tables: list[ReportTable] = []
    for indicator in TRAINING_INDICATORS:
        for by in ((), *((dimension,) for dimension in indicator.dimensions)):
            report = build_report(
                store,
                [indicator.name],
                by=by,
                period=Period(*TRAINING_PERIOD),
                on=TRAINING_ON,
                plugins=plugins,
            )
            tables.extend(report.tables)
    return Report(
        title=DEFAULT_TITLE,
        tables=tuple(tables),
        period=Period(*TRAINING_PERIOD),
        generated_on=TRAINING_ON,
    )


@pytest.fixture(scope="module")
def training_report() -> Iterator[Report]:
    from wladna_core.storage import open_store  # noqa: PLC0415

    plugins = make_plugin_manager(load_entrypoints=False)
    with open_store("memory://html-training", plugins=plugins, clock=lambda: TRAINING_ON) as store:
        _fill_training(store)
        yield _training_report(store)


def test_the_training_report_holds_figures_of_every_kind(training_report: Report) -> None:
    by_dimension = {(table.indicator, table.dimensions): table for table in training_report.tables}
    # Every value of the dimensions the store holds, and the needs and scores not withheld.
    modes = by_dimension["training_sessions", ("mode",)]
    assert {row[0] for row in modes.body} == {"remote", "in_person", "hybrid"}
    roles = by_dimension["training_staff_trained", ("role",)]
    assert len(roles.body) == 11  # every StaffRole
    needs = by_dimension["training_needs", ("need",)]
    assert len(needs.body) == 12  # every need but "other"
    assert all(row[1] == 18 for row in needs.body)  # 3 sessions evaluated 6 times
    scores = by_dimension["training_evaluation_scores", ("unit",)]
    assert {row[0] for row in scores.body} == set(UNIT_CODES)
    assert all(value is not None for row in scores.body for value in row)
    kinds = by_dimension["training_logistics_gaps", ("body_kind",)]
    assert len(kinds.body) == 5
    warned = by_dimension["training_casework_without_units", ()]
    assert warned.body == ((1, 1),)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_a_training_report_of_a_store_is_wholly_in_the_language(
    training_report: Report, lang: str
) -> None:
    page = render_report(training_report, lang).decode()
    assert_self_contained(page)
    text = " ".join(Text(page).parts)
    for table in training_report.tables:
        # Not one English title, definition or name of a measure is left.
        assert table.definition not in text
        assert f">{table.title}<" not in page
        for measure in table.measures:
            assert f">{measure}<" not in page
    if lang == "ar":
        assert not _latin_words(page)
        for words in ("الدورات التكوينية حسب النمط", "عن بعد", "حضوري", "مختلط", "المشاركون"):
            assert words in text
        for words in ("نقطة الارتكاز", "مزيد من التطبيق", "مركز المواكبة لحماية الطفولة"):
            assert words in text
    else:
        for words in ("Sessions de formation par modalité", "À distance", "En présentiel"):
            assert words in text
        for words in ("Point focal", "Plus de pratique", "Taux de présence", "Salé"):
            assert words in text


def test_counts_of_a_training_share_table_stay_counts(training_report: Report) -> None:
    (coverage,) = [
        table
        for table in training_report.tables
        if table.indicator == "training_rollout_coverage" and not table.dimensions
    ]
    assert coverage.body == ((5, 5, 1.0),)
    text = Page(render_table(coverage, "fr").decode()).all_text()
    assert "500,0\u202f%" not in text
    assert "100,0\u202f%" in text

"""The documentation page of the plug-in shows what the code does: its example is run here."""

from __future__ import annotations

import re
from pathlib import Path

PAGE = Path(__file__).resolve().parents[3] / "docs" / "html_report.md"
TRY_IT = re.compile(r"```\{code-block\} python\n:caption: Try it[^\n]*\n\n(.*?)```", re.DOTALL)
IMAGE = re.compile(r"```\{image\} (\S+)")


def test_the_page_example_runs() -> None:
    examples = TRY_IT.findall(PAGE.read_text(encoding="utf-8"))
    assert len(examples) == 1
    for example in examples:
        exec(compile(example, str(PAGE), "exec"), {})  # the page's own example


def test_the_page_screenshots_exist() -> None:
    images = IMAGE.findall(PAGE.read_text(encoding="utf-8"))
    assert images == ["_static/html_report_fr.png", "_static/html_report_ar.png"]
    for image in images:
        assert (PAGE.parent / image).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")

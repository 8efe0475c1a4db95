"""The report as a browser shows it: headless Chromium opens the file and takes a screenshot.

Debian's ``chromium`` package provides the browser; ``.ci/run`` installs it, so in continuous
integration (``CI`` set to a true value) a missing browser fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest
from PIL import Image

from wladna_report_html import render_report
from wladna_report_html.charts import PALETTE

if TYPE_CHECKING:
    from pathlib import Path

    from wladna_core.reporting import Report

WIDTH, HEIGHT = 1280, 2000
# Generous: the first start of a browser on a cold machine is slow; this is no timed assertion.
BROWSER_LIMIT_SECONDS = 180


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no", "off"}


def chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        reason = (
            "chromium is not installed (Debian: apt-get install chromium); "
            "it renders the HTML report to check it"
        )
        if in_ci():
            pytest.fail(f"{reason}; CI must have it (.ci/run installs it)")
        pytest.skip(reason)
    return path


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_chromium_renders_the_report(sample_report: Report, tmp_path: Path, lang: str) -> None:
    browser = chromium()
    page = tmp_path / f"report-{lang}.html"
    page.write_bytes(render_report(sample_report, lang))
    screenshot = tmp_path / f"report-{lang}.png"
    done = subprocess.run(  # the browser found on PATH, with fixed arguments
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={screenshot}",
            f"--window-size={WIDTH},{HEIGHT}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=BROWSER_LIMIT_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert screenshot.is_file(), done.stderr
    assert screenshot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(screenshot) as image:
        image.verify()
    with Image.open(screenshot) as image:
        assert image.format == "PNG"
        assert image.size == (WIDTH, HEIGHT)
        colours = image.convert("RGB").getcolors(maxcolors=WIDTH * HEIGHT)
    assert colours is not None
    counts = {colour: count for count, colour in colours}
    assert len(counts) > 50, "the page looks blank"
    # The bars of the charts are drawn: the SVG was rendered, not skipped.
    assert counts.get(hex_to_rgb(PALETTE[0]), 0) > 1000
    assert counts.get(hex_to_rgb(PALETTE[1]), 0) > 100

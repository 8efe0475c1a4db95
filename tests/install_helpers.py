"""Installing plug-in distributions for the plug-in tests, as a partner's user would."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def pip_install(target: Path, *projects: Path) -> None:
    """Install ``projects`` into ``target`` with pip, offline when hatchling is at hand."""
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
    command += ["--disable-pip-version-check", "--target", str(target)]
    if importlib.util.find_spec("hatchling") is not None:
        command.append("--no-build-isolation")
    done = subprocess.run(  # noqa: PLW1510 (the return code is checked below, with pip's output)
        [*command, *map(str, projects)], capture_output=True, text=True
    )
    assert done.returncode == 0, f"pip could not install {projects}:\n{done.stdout}{done.stderr}"

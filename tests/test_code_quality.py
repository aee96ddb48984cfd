"""Lint and type checks run as tests, so the README's single test command covers them.

Both tools are part of the `[dev]` extra; a missing tool is a failed install, not a skip.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_clean() -> None:
    result = _run("ruff", "check", "src", "mock_device", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_clean() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_architecture_boundaries() -> None:
    """diagnose/ imports no textfsm, netmiko or rich; parse/ no netmiko; only cli/ and report/
    import rich (contracts in pyproject.toml, checked transitively by import-linter)."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    contracts = (ROOT / "pyproject.toml").read_text().count("[[tool.importlinter.contracts]]")
    assert "BROKEN" not in result.stdout
    assert f"{contracts} kept, 0 broken" in result.stdout

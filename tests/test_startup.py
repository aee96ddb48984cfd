"""Start-up stays cheap: what `vpn-doctor --version`, `--help` and `explain` import.

Not timed (speed lives in bench/bench_startup.py): these tests look at which modules a fresh
interpreter has loaded after the command ran, which is what the time depends on and what a
careless top-level import in cli/ would change. Each sub-command module must register its
parser with the standard library only and import its heavy machinery inside its handler.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("netmiko", "paramiko", "textfsm", "ntc_templates", "asyncssh", "rich", "cryptography")

_PROBE = """
import json, sys
from vpn_doctor.cli import main
try:
    code = main({argv!r})
except SystemExit as exc:
    code = exc.code
print(json.dumps({{"code": code, "modules": sorted(sys.modules)}}), file=sys.stderr)
"""


def _run_main(argv: list[str]) -> tuple[int, str, list[str]]:
    """Run cli.main(argv) in a fresh interpreter: (exit code, stdout, modules loaded)."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return int(report["code"] or 0), result.stdout, report["modules"]


def _heavy(modules: list[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


@pytest.mark.parametrize(
    "argv",
    [
        ["--version"],
        ["--help"],
        ["explain", "MM_WAIT_MSG6"],
        ["explain", "IKE_AUTH_FAILED", "--format", "json"],
        ["diagnose", "--help"],
        ["check", "--help"],
        ["collect", "--help"],
    ],
)
def test_cheap_commands_import_nothing_heavy(argv: list[str]) -> None:
    code, out, modules = _run_main(argv)
    assert code == 0, out
    assert out.strip(), "the command printed nothing"
    assert _heavy(modules) == []


def test_version_loads_none_of_our_stages() -> None:
    """`--version` builds the parser and nothing else: no engine, parser, collector or YAML."""
    code, out, modules = _run_main(["--version"])
    assert code == 0
    assert re.fullmatch(r"vpn-doctor \d+\.\d+\.\d+\S*", out.strip())
    stages = ("collect.collector", "collect.driver", "parse.", "diagnose.", "report.", "fleet.c")
    ours = [m for m in modules if m.startswith("vpn_doctor.") and any(s in m for s in stages)]
    assert ours == []
    assert "yaml" not in modules


def test_explain_prints_plain_text_without_rich() -> None:
    """`explain` never uses rich (documented in cli/diagnose.py): plain text on a terminal too,
    so it stays cheap and pipes cleanly."""
    code, out, modules = _run_main(["explain", "MM_WAIT_MSG6"])
    assert code == 0
    assert out.startswith("MM_WAIT_MSG6")
    assert "\x1b[" not in out
    assert "rich" not in modules


def test_module_entry_point_with_importtime() -> None:
    """`python -X importtime -m vpn_doctor.cli --version`: the import log names no heavy module."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "vpn_doctor.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("vpn-doctor ")
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()]
    assert "vpn_doctor.cli" in imported
    assert _heavy(imported) == []


def test_heavy_modules_do_load_when_needed(tmp_path: Path) -> None:
    """The probe can fail: `diagnose --snapshot` parses, so it does import textfsm."""
    from mock_device import load_scenario
    from vpn_doctor.collect.snapshot import save_snapshot

    from helpers import scenario_snapshot

    save_snapshot(scenario_snapshot(load_scenario("mm_wait_msg6")), tmp_path / "snap")
    code, _out, modules = _run_main(["diagnose", "--snapshot", str(tmp_path / "snap")])
    assert code == 2  # tunnel down
    assert "textfsm" in _heavy(modules)


_YAML_READ = re.compile(r"\byaml\.(?:safe_load|load|compose|full_load|unsafe_load)\(")


def test_yaml_is_read_through_yaml_lines_only() -> None:
    """Every YAML read in the package and the mock goes through vpn_doctor.yaml_lines, which
    uses libyaml's C loader when present; a direct yaml.safe_load would be the slow parser."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for base in (ROOT / "src" / "vpn_doctor", ROOT / "mock_device")
        for path in sorted(base.rglob("*.py"))
        if path.name != "yaml_lines.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _YAML_READ.search(line)
    ]
    assert offenders == []


def test_c_loader_is_used_when_available() -> None:
    import yaml

    from vpn_doctor import yaml_lines

    expected = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    assert yaml_lines.SafeLoader is expected
    assert yaml_lines.load("a: [1, {b: c}]") == {"a": [1, {"b": "c"}]}

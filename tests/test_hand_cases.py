"""Hand-written cases (tests/data/cases): snapshots written from the field guides and real
layouts, not rendered by the mock, each with the expert's expected answer (expected.yaml)
and reasoning (NOTE.md). Offline: load_snapshot -> parse_snapshot -> diagnose.

expected.yaml keys: ``peer`` (the --peer given, optional), ``tunnels`` (peer -> ``first``
code, ``verdict``, ``contains``: texts findings[0] must show in its title, evidence or
remediation), ``not_codes`` (codes that must not appear for a peer), ``not_codes_first``
(codes that must not be findings[0]), ``only_peers`` (the report lists exactly these).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from vpn_doctor.collect.snapshot import load_snapshot
from vpn_doctor.diagnose.engine import diagnose
from vpn_doctor.diagnose.findings import DiagnosisReport
from vpn_doctor.parse.device import parse_snapshot

CASES = Path(__file__).parent / "data" / "cases"
CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "expected.yaml").is_file())


def run_case(directory: Path) -> tuple[dict[str, Any], DiagnosisReport]:
    """Diagnose one case directory as `diagnose --snapshot DIR [--peer X]` would."""
    expected = yaml.safe_load((directory / "expected.yaml").read_text(encoding="utf-8"))
    snapshot = load_snapshot(directory)
    state = parse_snapshot(snapshot)
    report = diagnose(state, expected.get("peer"), debug_peer=snapshot.peer)
    return expected, report


def failures(expected: dict[str, Any], report: DiagnosisReport) -> list[str]:
    """Every way the report differs from the expert's answer ([] when it agrees)."""
    problems: list[str] = []
    tunnels = {t.peer: t for t in report.tunnels}
    for peer, want in (expected.get("tunnels") or {}).items():
        tunnel = tunnels.get(str(peer))
        if tunnel is None:
            problems.append(f"{peer}: no tunnel in the report ({sorted(tunnels)})")
            continue
        first = tunnel.findings[0] if tunnel.findings else None
        code = first.code if first else None
        if "first" in want and code != want["first"]:
            problems.append(f"{peer}: first finding {code}, expected {want['first']}")
        if "verdict" in want and tunnel.verdict != want["verdict"]:
            problems.append(f"{peer}: verdict {tunnel.verdict}, expected {want['verdict']}")
        shown = " ".join(
            (first.title, *first.evidence, *first.remediation) if first else ()
        ).lower()
        for text in want.get("contains", ()):
            if text.lower() not in shown:
                problems.append(f"{peer}: findings[0] does not show {text!r}")
    for peer, codes in (expected.get("not_codes") or {}).items():
        tunnel = tunnels.get(str(peer))
        seen = {f.code for f in tunnel.findings} if tunnel else set()
        problems += [f"{peer}: unexpected {c}" for c in codes if c in seen]
    for peer, codes in (expected.get("not_codes_first") or {}).items():
        tunnel = tunnels.get(str(peer))
        if tunnel and tunnel.findings and tunnel.findings[0].code in codes:
            problems.append(f"{peer}: {tunnel.findings[0].code} must not be findings[0]")
    if "only_peers" in expected and sorted(tunnels) != sorted(map(str, expected["only_peers"])):
        problems.append(f"tunnels {sorted(tunnels)}, expected {expected['only_peers']}")
    return problems


def test_at_least_forty_cases_each_with_a_note() -> None:
    assert len(CASE_DIRS) >= 40
    for directory in CASE_DIRS:
        note = (directory / "NOTE.md").read_text(encoding="utf-8").strip()
        assert len(note) > 80, directory.name


@pytest.mark.parametrize("directory", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_hand_written_case(directory: Path) -> None:
    expected, report = run_case(directory)
    assert failures(expected, report) == []

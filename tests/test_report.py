"""JSON (Contract 2) and Markdown renderers against golden files; rich rendering smoke test.

Regenerate the goldens after an intended change with:
    VPN_DOCTOR_UPDATE_GOLDEN=1 pytest tests/test_report.py
and review the diff like code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mock_device import load_scenario
from mock_device.outputs import OutputBook
from vpn_doctor.diagnose.engine import diagnose
from vpn_doctor.diagnose.findings import DiagnosisReport
from vpn_doctor.models import DeviceInfo, DeviceState, ParseResult, ParseStatus, Snapshot
from vpn_doctor.parse.device import parse_snapshot
from vpn_doctor.report.formats import contract2_problems, render_json, render_markdown
from vpn_doctor.report.rich_view import render_rich_text

GOLDEN = Path(__file__).parent / "data" / "golden"


def _scenario_report(name: str) -> DiagnosisReport:
    scenario = load_scenario(name)
    book = OutputBook(scenario)
    commands = ("show crypto isakmp sa", "show crypto ipsec sa", "show vpn-sessiondb detail l2l")
    outputs = {c: t for c in commands if (t := book.lookup(c)) is not None}
    outputs["show logging"] = "\n".join(scenario.logging_buffer)
    snapshot = Snapshot(
        outputs=outputs,
        debug_lines=scenario.debug.lines if scenario.debug else (),
        device=DeviceInfo(hostname=scenario.hostname, version=scenario.version),
    )
    return diagnose(parse_snapshot(snapshot))


def _unknown_report() -> DiagnosisReport:
    state = DeviceState(
        device=DeviceInfo(hostname="fw2", version="9.8(4)"),
        ike_sas=ParseResult(
            "show crypto isakmp sa", ParseStatus.FAILED, warnings=("unrecognised output",)
        ),
        ipsec_sas=ParseResult("show crypto ipsec sa", ParseStatus.MISSING),
        sessions=ParseResult("show vpn-sessiondb detail l2l", ParseStatus.MISSING),
        raw={"show crypto isakmp sa": "ERROR: % Invalid input detected at '^' marker.\n"},
    )
    return diagnose(state, peer="198.51.100.7")


REPORTS = {
    "auth_failed": lambda: _scenario_report("code_IKE_AUTH_FAILED"),
    "unknown": _unknown_report,
}


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("VPN_DOCTOR_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden {path}; run with VPN_DOCTOR_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_json_golden(name: str) -> None:
    text = render_json(REPORTS[name]())
    assert contract2_problems(json.loads(text)) == []
    _golden(f"{name}.json", text)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_markdown_golden(name: str) -> None:
    _golden(f"{name}.md", render_markdown(REPORTS[name]()))


def test_json_key_order_is_contract2() -> None:
    data = json.loads(render_json(REPORTS["auth_failed"]()))
    assert list(data)[:3] == ["schema", "device", "tunnels"]
    tunnel = data["tunnels"][0]
    assert list(tunnel)[:6] == ["peer", "verdict", "phase1", "phase2", "path", "findings"]
    assert tunnel["timeline"] == []  # Contract 2 additions: empty for a single sample
    finding = tunnel["findings"][0]
    assert list(finding)[:6] == ["code", "severity", "title", "evidence", "checks", "remediation"]
    assert [t["peer"] for t in data["tunnels"]] == ["192.0.2.50", "203.0.113.14"]


def test_contract2_validator_catches_problems() -> None:
    assert contract2_problems([]) == ["report is not an object"]
    bad = {"schema": 2, "device": {}, "tunnels": [{"peer": 1, "verdict": "sideways"}]}
    problems = contract2_problems(bad)
    assert "schema must be 1" in problems
    assert any("verdict" in p for p in problems)
    assert any("tunnels[0].peer" in p for p in problems)


def test_rich_rendering_shows_walk_and_findings() -> None:
    text = render_rich_text(REPORTS["auth_failed"](), width=120)
    assert "203.0.113.14" in text and "down" in text
    assert "MM_WAIT_MSG6" in text
    assert "IKE_AUTH_FAILED" in text and "IPSEC_PFS_MISMATCH" in text
    assert text.splitlines()[0].startswith("fw1: 1 down, 1 up")
    assert text.index("203.0.113.14") < text.index("192.0.2.50")  # down first


def test_rich_rendering_of_unknown() -> None:
    text = render_rich_text(REPORTS["unknown"](), width=120)
    assert "could not determine" in text
    assert "DIAGNOSIS_INCOMPLETE" in text

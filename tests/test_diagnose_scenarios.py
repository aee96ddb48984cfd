"""Every mock scenario with an `expect:` block, diagnosed two ways.

(a) snapshot path: the scenario's outputs (what the mock would answer to the commands a live
    diagnosis sends) -> save_snapshot -> load_snapshot -> parse -> diagnose;
(b) live path (e2e): the mock ASA over real SSH, `vpn-doctor diagnose 127.0.0.1 --port P
    --format json` through cli.main, password from the environment.

Debug lines: the live collection does not capture `debug crypto` yet, so both paths feed the
scenario's `debug.lines` as a debug log (the snapshot's debug.log; `--log FILE` for the CLI).
When the debug-capture feature lands, the live path should capture them from the mock instead.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from mock_device import load_scenario, scenario_names
from vpn_doctor import cli
from vpn_doctor.collect.snapshot import load_snapshot, save_snapshot
from vpn_doctor.diagnose.engine import diagnose
from vpn_doctor.parse.device import parse_snapshot
from vpn_doctor.report.formats import contract2_problems, to_json_dict

from helpers import login_args, scenario_snapshot


def _with_expect() -> list[str]:
    """Scenarios whose `expect:` block says what to conclude (a block with only `peer`, as
    in the debug-stream scenarios, has nothing to check; the mock's own tests police that)."""
    return [name for name in scenario_names() if "first_finding" in load_scenario(name).expect]


SCENARIOS = _with_expect()
# Scenarios whose tunnels move with time are judged over several samples (their `expect:`
# says how many): only a live session can take them.
ONE_SAMPLE = [name for name in SCENARIOS if "samples" not in load_scenario(name).expect]


def check_expectation(data: dict[str, Any], expect: Any) -> None:
    """The JSON report meets the scenario's `expect:` block (and Contract 2)."""
    assert contract2_problems(data) == []
    tunnels = {t["peer"]: t for t in data["tunnels"]}
    assert expect["peer"] in tunnels, f"peer {expect['peer']} not in {sorted(tunnels)}"
    tunnel = tunnels[expect["peer"]]
    first = tunnel["findings"][0]
    codes = [f["code"] for f in tunnel["findings"]]
    if "findings_include" in expect:
        # two faults at once (model_double_*): both must be named, either may lead
        assert first["code"] in expect["findings_include"], tunnel["path"]
        assert set(expect["findings_include"]) <= set(codes), codes
    else:
        assert first["code"] == expect["first_finding"], tunnel["path"]
    assert tunnel["verdict"] == expect["verdict"]
    for text in expect.get("evidence_contains", []):
        assert any(text in line for line in first["evidence"]), (text, first["evidence"])
    for text in expect.get("remediation_contains", []):
        assert text in first["remediation"], (text, first["remediation"])
    device_codes = [f["code"] for f in data["device"]["findings"]]
    assert device_codes == list(expect.get("device_findings", [])), device_codes
    if expect["verdict"] == "up":
        severities = {f["severity"] for f in tunnel["findings"]}
        assert severities <= {"info"}, tunnel["findings"]


@pytest.mark.parametrize("name", ONE_SAMPLE)
def test_snapshot_path(name: str, tmp_path: Path) -> None:
    scenario = load_scenario(name)
    save_snapshot(scenario_snapshot(scenario), tmp_path / "snap")
    state = parse_snapshot(load_snapshot(tmp_path / "snap"))
    report = diagnose(state)
    data = json.loads(json.dumps(to_json_dict(report)))
    check_expectation(data, scenario.expect)


@pytest.mark.e2e
@pytest.mark.filterwarnings("ignore:Diffie-Hellman over finite fields")  # legacy_ssh's mock
@pytest.mark.parametrize("name", SCENARIOS)
def test_live_path(
    name: str, mock_asa: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = load_scenario(name)
    mock = mock_asa(scenario)
    monkeypatch.setenv("VD_TEST_PASSWORD", mock.password)
    monkeypatch.setenv("VD_TEST_SECRET", mock.secret)
    argv = [
        "diagnose",
        *login_args(mock, "VD_TEST_PASSWORD", "VD_TEST_SECRET"),
        "--format",
        "json",
    ]
    if scenario.ssh.legacy_only:
        argv.append("--legacy-ssh")
    if not mock.secret:  # FTD's diagnostic CLI: an empty enable password by default
        argv = [a for a in argv if a not in ("--secret-env", "VD_TEST_SECRET")]
    if scenario.device_type == "ftd":
        argv += ["--device-type", "ftd"]
    if scenario.expect.get("context"):
        argv += ["--context", scenario.expect["context"]]
    if "samples" in scenario.expect:
        argv += ["--samples", str(scenario.expect["samples"])]
        argv += ["--interval", str(scenario.expect["interval"])]
    if scenario.debug and scenario.debug.lines:
        log = tmp_path / "debug.log"
        log.write_text("\n".join(scenario.debug.lines) + "\n", encoding="utf-8")
        argv += ["--log", str(log)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(argv)
    data = json.loads(out.getvalue())
    check_expectation(data, scenario.expect)
    assert code == {"up": 0, "degraded": 1, "down": 2, "unknown": 3}[_worst(data)]


def _worst(data: dict[str, Any]) -> str:
    order = ["up", "degraded", "unknown", "down"]
    return max((t["verdict"] for t in data["tunnels"]), key=order.index, default="unknown")


def test_every_scenario_code_is_covered() -> None:
    """Each Contract 3 code has a scenario naming it first (except the engine's own)."""
    from vpn_doctor.diagnose.findings import CONTRACT3_CODES

    named = {load_scenario(n).expect["first_finding"] for n in SCENARIOS}
    assert sorted(set(CONTRACT3_CODES) - named) == []

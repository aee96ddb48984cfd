"""The Nornir task against the mock fleet with Nornir's threaded runner: the report per host,
credentials from the inventory, platforms, failures as failed results."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mock_device import MockFleet, unreachable_port
from vpn_doctor.report.formats import contract2_problems

nornir = pytest.importorskip("nornir")  # the [nornir] extra; in the dev extra, so CI runs it
from nornir import InitNornir  # noqa: E402

from vpn_doctor.nornir import diagnose_tunnels  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def init(tmp_path: Path, hosts: dict[str, Any]) -> Any:
    path = tmp_path / "hosts.yaml"
    path.write_text(yaml.safe_dump(hosts), encoding="utf-8")
    return InitNornir(
        runner={"plugin": "threaded", "options": {"num_workers": 4}},
        inventory={"plugin": "SimpleInventory", "options": {"host_file": str(path)}},
        logging={"enabled": False},
    )


@pytest.mark.e2e
def test_threaded_runner_over_the_mock_fleet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VPNDOC_NR_PW", "cisco123")
    monkeypatch.delenv("VPN_DOCTOR_PASSWORD", raising=False)
    with MockFleet(["healthy", "code_IPSEC_ONE_WAY", "code_IKE_NO_RESPONSE"]) as fleet:
        base = {"hostname": "127.0.0.1", "username": "admin", "platform": "cisco_asa"}
        refs = {"password_env": "VPNDOC_NR_PW", "secret_env": "VPNDOC_NR_PW"}
        hosts: dict[str, Any] = {
            "fw0": {**base, "port": fleet[0].port, "data": refs},
            "fw1": {**base, "port": fleet[1].port, "data": refs},
            # the password as a transform function would set it; secret via netmiko extras
            "fw2": {
                **base,
                "port": fleet[2].port,
                "connection_options": {"netmiko": {"extras": {"secret": "cisco123"}}},
            },
            "ios": {**base, "port": fleet[0].port, "platform": "cisco_ios", "data": refs},
            "gone": {**base, "port": unreachable_port(), "data": refs},
        }
        nr = init(tmp_path, hosts)
        nr.inventory.hosts["fw2"].password = "cisco123"
        results = nr.run(task=diagnose_tunnels)
    by_host = {name: multi[0] for name, multi in results.items()}
    for name in ("fw0", "fw1", "fw2"):
        assert not by_host[name].failed, by_host[name].result
        assert contract2_problems(by_host[name].result) == []
    verdicts = {
        name: {t["peer"]: (t["verdict"], t["findings"][0]["code"]) for t in r.result["tunnels"]}
        for name, r in by_host.items()
        if not r.failed
    }
    assert verdicts["fw0"] == {"203.0.113.9": ("up", "TUNNEL_HEALTHY")}
    assert verdicts["fw1"]["203.0.113.26"] == ("degraded", "IPSEC_ONE_WAY")
    assert verdicts["fw2"]["203.0.113.11"][0] == "down"
    assert by_host["fw2"].exit_code == 2
    assert by_host["ios"].failed and "not a Cisco ASA" in by_host["ios"].result
    assert by_host["gone"].failed and "cannot open an SSH connection" in by_host["gone"].result
    assert results.failed_hosts.keys() == {"ios", "gone"}


@pytest.mark.e2e
def test_peer_and_missing_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VPN_DOCTOR_PASSWORD", raising=False)
    monkeypatch.setenv("VPN_DOCTOR_SECRET", "cisco123")
    with MockFleet(["code_IPSEC_ONE_WAY"]) as fleet:
        host = {"hostname": "127.0.0.1", "port": fleet[0].port, "username": "admin"}
        nr = init(tmp_path, {"fw": {**host, "platform": "cisco_asa"}, "nopw": host})
        nr.inventory.hosts["fw"].password = "cisco123"
        results = nr.run(task=diagnose_tunnels, peer="203.0.113.26")
        commands = fleet[0].commands()
    report = results["fw"][0].result
    assert [t["peer"] for t in report["tunnels"]] == ["203.0.113.26"]
    assert "show crypto ipsec sa peer 203.0.113.26" in commands
    assert results["nopw"][0].failed and "no password" in results["nopw"][0].result


def test_vpn_doctor_import_does_not_import_nornir() -> None:
    code = "import sys, vpn_doctor, vpn_doctor.cli; print('nornir' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_example_script_usage() -> None:
    script = ROOT / "examples" / "nornir_diagnose.py"
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert result.returncode == 64 and "threaded runner" in result.stdout

"""`vpn-doctor check` command line: formats, status line first, exit codes, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vpn_doctor.cli import main

from helpers import MockFactory

DATA = Path(__file__).parent / "data" / "inventory"


def _inventory(tmp_path: Path, hosts: dict[str, dict[str, object]]) -> Path:
    path = tmp_path / "hosts.yaml"
    path.write_text(yaml.safe_dump(hosts, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def two_devices(mock_asa: MockFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("VPNDOC_CLI_PW", "cisco123")
    healthy = mock_asa("healthy", hostname="fw1")
    one_way = mock_asa("code_IPSEC_ONE_WAY", hostname="fw2")
    common = {"hostname": "127.0.0.1", "username": "admin"}
    return _inventory(
        tmp_path,
        {
            "fw1": {
                **common,
                "port": healthy.port,
                "data": {"vpn_doctor": {"tunnels": [{"peer": "203.0.113.9"}]}},
            },
            "fw2": {
                **common,
                "port": one_way.port,
                "data": {"vpn_doctor": {"tunnels": [{"peer": "203.0.113.26"}]}},
            },
        },
    )


@pytest.mark.e2e  # two_devices starts two mock ASAs
def test_text_status_line_first_then_table(
    two_devices: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", "-i", str(two_devices), "--password-env", "VPNDOC_CLI_PW"])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert out[0].startswith(
        "VPN WARNING - 1 of 2 devices warning: fw2 203.0.113.26 IPSEC_ONE_WAY |"
    )
    table = "\n".join(out[1:])
    assert "fw1" in table and "fw2" in table and "IPSEC_ONE_WAY (warning)" in table


@pytest.mark.e2e  # two_devices starts two mock ASAs
def test_only_one_host_is_ok(two_devices: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["check", "-i", str(two_devices), "--host", "fw1", "--password-env", "VPNDOC_CLI_PW"]
    )
    assert code == 0
    assert capsys.readouterr().out.startswith("VPN OK - 1 devices, 1 of 1 tunnels up |")


@pytest.mark.e2e  # two_devices starts two mock ASAs
def test_prometheus_stdout_and_textfile(
    two_devices: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = [
        "check",
        "-i",
        str(two_devices),
        "--password-env",
        "VPNDOC_CLI_PW",
        "--format",
        "prometheus",
    ]
    assert main(base) == 1
    out = capsys.readouterr().out
    assert out.startswith("# HELP vpn_doctor_device_reachable ")
    textfile = tmp_path / "vpn.prom"
    assert main([*base, "--textfile", str(textfile)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("VPN WARNING") and out.count("\n") == 1
    text = textfile.read_text()
    assert 'vpn_doctor_tunnel_up{host="fw2",name="",peer="203.0.113.26"} 1.0' in text, text


@pytest.mark.e2e  # two_devices starts two mock ASAs
def test_missing_password_is_unknown_for_that_host(
    two_devices: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VPN_DOCTOR_PASSWORD", raising=False)
    code = main(["check", "-i", str(two_devices), "--format", "json"])
    assert code == 3
    out = capsys.readouterr().out
    assert '"status": "error"' in out and "no password" in out


def test_bad_inventory_exit_17_before_any_login(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "-i", str(DATA / "bad_password.yaml")]) == 17
    err = capsys.readouterr().err
    assert "bad_password.yaml:3:" in err and "refused" in err and "Traceback" not in err


@pytest.mark.e2e  # two_devices starts two mock ASAs
def test_unknown_host_filter(two_devices: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "-i", str(two_devices), "--host", "nope"]) == 17
    assert "no such host(s) to check: nope" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--workers", "0"], ["--timeout", "-1"], ["--format", "xml"], []])
def test_usage_errors_exit_64(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", *args] if not args else ["check", "-i", "x.yaml", *args]
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 64


def test_help_documents_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    assert "0 OK, 1 WARNING" in out and "CRITICAL > UNKNOWN > WARNING > OK" in out

"""No secret an ASA can print survives into a snapshot, a report or a log (issue 13, item 7).

tests/data/secrets/running-config.txt is a full running configuration with a planted secret
of every kind an ASA prints in ``more system:running-config`` (pre-shared keys in clear, hex
and type 8/0, EIGRP/OSPF/RIP/NTP/BGP keys, RADIUS/TACACS/LDAP keys, SNMP communities and v3
auth/priv keys, user/enable/passwd/vpdn passwords, the password-encryption master key, the
failover key). Every planted value contains ``Pl4nt`` or is one of the hex strings below.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from mock_device import load_scenario
from vpn_doctor import cli
from vpn_doctor.cli.diagnose import DIAGNOSE_COMMANDS
from vpn_doctor.masking import mask_secrets

from helpers import MockFactory, login_args

CONFIG = (Path(__file__).parent / "data" / "secrets" / "running-config.txt").read_text()
PLANTED = re.compile(
    r"Pl4nt\w*|0a1b2c3d4e5f60718293a4b5c6d7e8f9|5069346e745073b36b48657832350a|"
    r"506c346e7448657832380a"
)
EXPECTED_SECRETS = 31  # planted values in the file (the test checks it still holds them)


def leaks(text: str) -> list[str]:
    return PLANTED.findall(text)


def test_the_fixture_plants_every_kind() -> None:
    assert len(leaks(CONFIG)) == EXPECTED_SECRETS
    for keyword in (
        "pre-shared-key hex",
        "remote-authentication pre-shared-key 8",
        "local-authentication pre-shared-key 0",
        "authentication key eigrp",
        "ospf message-digest-key",
        "radius-common-pw",
        "\n key ",
        "snmp-server community",
        "auth sha",
        "priv aes 256",
        "pbkdf2",
        "encrypted privilege",
        "enable password",
        "passwd",
        "key config-key password-encryption",
    ):
        assert keyword in CONFIG, keyword


def test_masking_removes_every_planted_secret_and_keeps_the_lines() -> None:
    masked = mask_secrets(CONFIG)
    assert leaks(masked) == []
    assert len(masked.splitlines()) == len(CONFIG.splitlines())
    assert " ikev1 pre-shared-key *****" in masked
    assert "key config-key password-encryption ***** *****" in masked
    assert "snmp-server user snmpuser V3GROUP v3 encrypted auth sha ***** priv aes 256 *****" in (
        masked
    )
    assert mask_secrets(masked) == masked  # idempotent


def _run(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, out.getvalue() + err.getvalue()


def _tree_text(root: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in sorted(root.rglob("*")) if p.is_file())


@pytest.mark.e2e
def test_no_secret_in_snapshots_reports_or_logs(
    mock_asa: MockFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = load_scenario("healthy")
    config_commands = [c for c in DIAGNOSE_COMMANDS if c.startswith("show running-config")]
    log_line = "Nov 22 2025 10:00:00: %ASA-5-111008: User 'admin' executed 'passwd Pl4ntLog31'"
    commands = {
        **base.commands,
        **dict.fromkeys(config_commands, CONFIG),
        "show logging": log_line + "\n",
    }
    mock = mock_asa(base.replace(commands=commands))
    monkeypatch.setenv("VD_PW", mock.password)
    login = login_args(mock, "VD_PW", "VD_PW")
    seen: list[str] = []
    snap = tmp_path / "snap"
    code, text = _run(["diagnose", *login, "--format", "json", "--save", str(snap)])
    assert code in (0, 1, 2, 3), text
    seen.append(text)
    assert "Pl4nt" not in _tree_text(snap)
    for fmt in ("rich", "markdown", "json"):
        seen.append(_run(["diagnose", "--snapshot", str(snap), "--format", fmt])[1])
    collected = tmp_path / "collected"
    seen.append(_run(["collect", *login, "--save", str(collected), "--format", "json"])[1])
    assert leaks(_tree_text(collected)) == []
    # A pasted terminal log of `more system:running-config` and an extra --log file.
    pasted = tmp_path / "putty.log"
    pasted.write_text("fw1# more system:running-config\n" + CONFIG + "fw1# \n")
    extra = tmp_path / "syslog.txt"
    extra.write_text(log_line + "\n")
    for fmt in ("rich", "markdown", "json"):
        seen.append(_run(["diagnose", "--from-log", str(pasted), "--log", str(extra),
                          "--format", fmt])[1])  # fmt: skip
    # A hand-made snapshot holding the raw configuration is masked when read.
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "show_running-config_tunnel-group.txt").write_text(CONFIG)
    (raw / "debug.log").write_text(log_line + "\n")
    seen.append(_run(["diagnose", "--snapshot", str(raw), "--format", "markdown"])[1])
    joined = "\n".join(seen)
    assert leaks(joined) == [], leaks(joined)
    assert "*****" in _tree_text(snap)  # the keys were there, masked

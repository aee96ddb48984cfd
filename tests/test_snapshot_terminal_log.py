"""Pasted terminal captures -> Snapshot (tests/data/terminal_logs/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from vpn_doctor.collect.snapshot import read_terminal_log
from vpn_doctor.collect.terminal_log import parse_terminal_log
from vpn_doctor.errors import SnapshotError

LOGS = Path(__file__).parent / "data" / "terminal_logs"


def test_putty_session() -> None:
    snapshot = read_terminal_log(LOGS / "putty_session.log")
    assert list(snapshot.outputs) == [
        "show version",
        "show crypto ipsec sa",
        "show crypto isakmp sa",  # typed twice: the later output, in the later position
        "show foo",
    ]
    assert snapshot.device.hostname == "fw1"
    assert snapshot.device.version == "9.12(4)"
    assert snapshot.source == f"log:{LOGS / 'putty_session.log'}"
    version = snapshot.outputs["show version"]
    assert "More" not in version
    assert version.startswith("Cisco Adaptive Security Appliance Software Version 9.12(4)")
    assert version.endswith(
        "Configuration last modified by netops at 09:58:12.207 UTC Fri Mar 1 2024"
    )
    ipsec = snapshot.outputs["show crypto ipsec sa"]
    assert "#pkts compressed: 0" in ipsec
    assert "More" not in ipsec
    isakmp = snapshot.outputs["show crypto isakmp sa"]
    assert "%ASA-" not in isakmp
    assert "State   : MM_ACTIVE" in isakmp
    assert snapshot.debug_lines == (
        "Mar 01 2024 10:15:40: %ASA-6-302013: Built inbound TCP connection 4711 for "
        "outside:203.0.113.50/51234 (203.0.113.50/51234) to inside:10.1.1.10/443 "
        "(10.1.1.10/443)",
    )
    assert "Invalid input" in snapshot.outputs["show foo"]  # the parser marks it FAILED


def test_debug_session() -> None:
    snapshot = read_terminal_log(LOGS / "debug_session.log")
    assert list(snapshot.outputs) == ["show crypto isakmp sa", "show logging | include 713"]
    assert "MM_WAIT_MSG6" in snapshot.outputs["show crypto isakmp sa"]
    assert "%ASA-3-713048" in snapshot.outputs["show logging | include 713"]
    lines = snapshot.debug_lines
    assert lines[0].startswith("Mar 01 10:20:01 [IKEv1]IP = 203.0.113.9, IKE_DECODE SENDING")
    assert "  Proposal # 1, Transform # 1 acceptable  Matches global IKE entry # 1" in lines
    assert sum("%ASA-3-713048" in line for line in lines) == 1  # show logging repeat dropped
    assert not any(line.startswith("fw1#") for line in lines)


def test_multi_context_config_mode_crlf_and_masking() -> None:
    snapshot = read_terminal_log(LOGS / "multi_context_crlf.log")
    assert list(snapshot.outputs) == [
        "show crypto isakmp sa",
        "show running-config tunnel-group 203.0.113.9",
    ]
    assert "READY    INITIATOR" in snapshot.outputs["show crypto isakmp sa"]
    config = snapshot.outputs["show running-config tunnel-group 203.0.113.9"]
    assert "Sup3rS3cret" not in config
    assert "L0calS3cret" not in config
    assert config.splitlines()[-1] == " isakmp keepalive threshold 10 retry 2"
    assert "\r" not in config
    assert "" not in config.splitlines()


def test_user_mode_prompt_and_abbreviations() -> None:
    text = "fw1> sh cry isa sa\nThere are no IKEv1 SAs\nfw1> sh ver\nfw1 up 1 day\n"
    snapshot = parse_terminal_log(text)
    assert snapshot.outputs == {
        "show crypto isakmp sa": "There are no IKEv1 SAs",
        "show version": "fw1 up 1 day",
    }


def test_output_lines_looking_like_prompts_of_other_hosts_are_output() -> None:
    text = (
        "fw1# show run | include name\n"
        "hostname fw1\n"
        "name 10.9.9.9 core# router\n"
        "fw1# show version\n"
        "x\n"
    )
    snapshot = parse_terminal_log(text)
    assert snapshot.outputs["show running-config | include name"] == (
        "hostname fw1\nname 10.9.9.9 core# router"
    )


def test_no_prompt_is_read_by_what_it_shows() -> None:
    """A bare paste (no prompt) is recognised from its lines, not refused."""
    snapshot = read_terminal_log(LOGS / "no_prompt.log")
    assert list(snapshot.outputs) == ["show crypto ikev1 sa"]
    assert "MM_ACTIVE" in snapshot.outputs["show crypto ikev1 sa"]


def test_nothing_recognisable_is_a_clear_error() -> None:
    with pytest.raises(SnapshotError, match="nothing recognisable"):
        parse_terminal_log("hello\nthis is not an ASA\n")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="not found"):
        read_terminal_log(tmp_path / "missing.log")


def test_config_commands_are_not_stored() -> None:
    text = "fw1# conf t\nfw1(config)# crypto map x 10 set peer 1.2.3.4\nfw1(config)# end\n"
    text += "fw1# show crypto isakmp sa\nThere are no IKEv1 SAs\n"
    snapshot = parse_terminal_log(text)
    assert list(snapshot.outputs) == ["show crypto isakmp sa"]


def test_backspaces_erase_the_character_before_them(tmp_path: Path) -> None:
    """`sh crpt<BS><BS>ypto isa sa` was shown as `sh crypto isa sa`: erase, not strip."""
    log = tmp_path / "bs.log"
    log.write_text(
        "fw1# sh crpt\x08\x08ypto isa sa\n\n"
        "There are no IKEv1 SAs\nThere are no IKEv2 SAs\nfw1# \n",
        encoding="utf-8",
    )
    snapshot = read_terminal_log(log)
    assert list(snapshot.outputs) == ["show crypto isakmp sa"]

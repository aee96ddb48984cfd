"""Guided troubleshooting through a real pseudo-terminal (issue 18): pexpect drives
``python -m vpn_doctor.cli diagnose`` against the mock ASA (SSH on 127.0.0.1).

Each test asserts the question asked, the commands the mock received (its audit log), the
final code, and that debug is off on the device at the end whatever the answer.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest
import yaml

from mock_device import load_scenario

from helpers import login_args

pytestmark = pytest.mark.e2e

PEER = "203.0.113.9"
NO_SA_PEER = "203.0.113.50"
QUESTION = r"Run step \d\? \[y/N\] "


def _spawn(mock: Any, *extra: str) -> pexpect.spawn:
    env = dict(os.environ, VD_GUIDE_PW=mock.password, COLUMNS="160", TERM="dumb")
    argv = ["-m", "vpn_doctor.cli", "diagnose", *login_args(mock, "VD_GUIDE_PW", "VD_GUIDE_PW")]
    return pexpect.spawn(
        sys.executable,
        [*argv, "--step-seconds", "1", *extra],
        env=env,
        encoding="utf-8",
        timeout=90,
        dimensions=(60, 160),
    )


def _finish(child: pexpect.spawn) -> tuple[int, str]:
    child.expect(pexpect.EOF)
    text = child.before
    child.close()
    return int(child.exitstatus), text


def test_psk_or_pfs_yes_runs_the_conditional_debug_and_undoes_it(
    mock_asa: Any, tmp_path: Path
) -> None:
    mock = mock_asa("mm_wait_msg6")
    save = tmp_path / "snap"
    child = _spawn(mock, "--peer", PEER, "--save", str(save))
    child.expect(r"Next step \(debug, peer 203\.0\.113\.9\): IKE_AUTH_FAILED or IPSEC_PFS_MISMATCH")
    child.expect("and undoes the debug with:")
    child.expect(QUESTION)
    assert "debug crypto condition peer" not in " ".join(mock.commands())  # nothing before yes
    child.sendline("y")
    child.expect(r"Changed: .* -> 203\.0\.113\.9: down IKE_AUTH_FAILED")
    child.expect(r"or N: ")  # step 2 would compare the peer's settings: declined
    child.sendline("n")
    child.expect("Guided run ended: stopped by the engineer")
    code, _ = _finish(child)
    assert code == 2
    sent = mock.commands()
    assert f"debug crypto condition peer {PEER}" in sent
    assert sent.index("undebug all") > sent.index(f"debug crypto condition peer {PEER}")
    assert not mock.debug_state.any_on
    steps = yaml.safe_load((save / "steps.yaml").read_text(encoding="utf-8"))
    assert [s["kind"] for s in steps["steps"]] == ["debug", "profile"]
    assert steps["steps"][0]["answer"] == "yes"
    assert "## Step 1: debug" in (save / "transcript.md").read_text(encoding="utf-8")
    assert (save / "debug.log").exists()  # replayable: diagnose --snapshot reads the lines


def test_psk_or_pfs_no_sends_no_debug(mock_asa: Any) -> None:
    mock = mock_asa("mm_wait_msg6")
    child = _spawn(mock, "--peer", PEER)
    child.expect(QUESTION)
    child.sendline("n")
    child.expect("Guided run ended: stopped by the engineer")
    code, _ = _finish(child)
    assert code == 2
    assert not any(c.startswith("debug") for c in mock.commands())
    assert not mock.debug_state.any_on


def test_no_sa_offers_the_debug_with_the_trigger(mock_asa: Any) -> None:
    """No SA and nothing in the configuration explains it: was interesting traffic ever
    sent? The step is the debug with the tunnel's traffic sent by packet-tracer (built from
    the crypto ACL), all under the peer condition; --yes takes it without asking."""
    scenario = load_scenario("no_sa")
    acl = (
        "access-list outside_cryptomap_50 extended permit ip "
        "10.1.1.0 255.255.255.0 10.2.50.0 255.255.255.0\n"
    )
    crypto_map = (
        scenario.commands["show running-config crypto map"]
        + "crypto map outside_map interface outside\n"
    )
    commands = {
        **scenario.commands,
        "show running-config crypto map": crypto_map,
        "show running-config access-list outside_cryptomap_50": acl,
        "show running-config crypto ikev1": "crypto ikev1 enable outside\n",
        "show running-config tunnel-group": (
            f"tunnel-group {NO_SA_PEER} type ipsec-l2l\n"
            f"tunnel-group {NO_SA_PEER} ipsec-attributes\n ikev1 pre-shared-key *****\n"
        ),
    }
    mock = mock_asa(dataclasses.replace(scenario, commands=commands))
    child = _spawn(mock, "--yes", "--peer", NO_SA_PEER)
    child.expect(r"Next step \(debug, peer 203\.0\.113\.50\): IKE_NO_SA")
    child.expect(r"packet-tracer input")
    child.expect("Guided run ended")
    code, text = _finish(child)
    assert "[y/N]" not in text
    assert code == 2
    sent = mock.commands()
    condition = f"debug crypto condition peer {NO_SA_PEER}"
    trace = next(i for i, c in enumerate(sent) if c.startswith("packet-tracer input"))
    assert sent.index(condition) < trace < sent.index("undebug all")
    assert not mock.debug_state.any_on


def test_one_way_is_seen_in_the_second_sample(mock_asa: Any) -> None:
    mock = mock_asa("one_way_now")
    child = _spawn(mock, "--peer", PEER)
    child.expect(r"Next step \(samples, peer 203\.0\.113\.9\): TUNNEL_HEALTHY")
    child.expect(QUESTION)
    child.sendline("yes")
    child.expect(
        r"Changed: 203\.0\.113\.9: up TUNNEL_HEALTHY -> 203\.0\.113\.9: degraded IPSEC_ONE_WAY"
    )
    code, _ = _finish(child)
    assert code == 1
    sent = mock.commands()
    assert sent.count("show crypto ipsec sa peer 203.0.113.9") >= 2
    assert not mock.debug_state.any_on


def test_no_input_asks_nothing_and_gives_the_non_interactive_diagnosis(mock_asa: Any) -> None:
    mock = mock_asa("mm_wait_msg6")
    child = _spawn(mock, "--peer", PEER, "--no-input", "--format", "json")
    code, text = _finish(child)
    assert "[y/N]" not in text
    guided_first = json.loads(text[text.index("{") :])["tunnels"][0]["findings"][0]["code"]
    plain = pexpect.run(
        f"{sys.executable} -m vpn_doctor.cli diagnose "
        + " ".join(login_args(mock, "VD_GUIDE_PW", "VD_GUIDE_PW"))
        + f" --peer {PEER} --format json",
        env=dict(os.environ, VD_GUIDE_PW=mock.password),
        withexitstatus=True,
        encoding="utf-8",
        timeout=90,
    )
    plain_text, plain_code = plain
    assert code == plain_code == 2
    plain_first = json.loads(plain_text[plain_text.index("{") :])["tunnels"][0]["findings"][0]
    assert guided_first == plain_first["code"] == "IKE_AUTH_FAILED"
    assert not any(c.startswith("debug") for c in mock.commands())
    assert not mock.debug_state.any_on


def test_psk_or_pfs_then_the_peers_typed_settings_decide_pfs(mock_asa: Any, tmp_path: Path) -> None:
    """Step 1 (debug) leaves PSK vs PFS open; step 2 asks for the other end's settings: the
    engineer types them (no PFS there), the comparison makes the PFS mismatch the first
    finding, and the typed values are saved so the snapshot replays to the same answer."""
    mock = mock_asa("mm_wait_msg6")
    save = tmp_path / "snap"
    child = _spawn(mock, "--peer", PEER, "--save", str(save))
    child.expect(QUESTION)
    child.sendline("y")
    child.expect(r"Next step \(profile, peer 203\.0\.113\.9\)")
    child.expect(r"\(nothing: the comparison is offline\)")
    child.expect(
        r"Compare with which peer profile \(aws, azure, gcp, gcp-ikev1\), "
        r"'type' to enter its values"
    )
    child.sendline("type")
    for value in ("aes256", "sha1", "2", "aes256", "sha1", "none"):
        child.expect(r": $")
        child.sendline(value)
    child.expect(r"Changed: .* -> 203\.0\.113\.9: down IPSEC_PFS_MISMATCH")
    child.expect("the typed peer uses no PFS")
    code, _ = _finish(child)
    assert code == 2
    assert not mock.debug_state.any_on
    steps = yaml.safe_load((save / "steps.yaml").read_text(encoding="utf-8"))
    assert [(s["kind"], s["answer"]) for s in steps["steps"]] == [
        ("debug", "yes"),
        ("profile", "type"),
    ]
    replay = pexpect.run(
        f"{sys.executable} -m vpn_doctor.cli diagnose --snapshot {save} "
        f"--profile {save / 'peer-profile.yaml'} --format json",
        encoding="utf-8",
        timeout=90,
    )
    first = json.loads(replay[replay.index("{") :])["tunnels"][0]["findings"][0]
    assert first["code"] == "IPSEC_PFS_MISMATCH"


def _compare_with_profile(mock: Any, profile: str) -> Any:
    """A guided run on `mm_wait_msg6` that takes the first step and answers the peer-settings
    question with a shipped profile's name; returns the child at the comparison."""
    child = _spawn(mock, "--peer", PEER)
    child.expect(QUESTION)
    child.sendline("y")
    child.expect(r"or N: ")
    child.sendline(profile)
    child.expect(f"Comparing with the peer profile '{profile}'")
    return child


def test_psk_or_pfs_with_the_azure_profile(mock_asa: Any) -> None:
    """The shipped Azure profile: no PFS when Azure initiates, so PFS group 14 here is
    compared against its accepted list (14 is accepted as responder)."""
    mock = mock_asa("mm_wait_msg6")
    child = _compare_with_profile(mock, "azure")
    child.expect(r"Changed: ")
    code, text = _finish(child)
    assert code == 2
    assert "Guided run ended" in text
    assert not mock.debug_state.any_on


def test_psk_or_pfs_with_the_gcp_ikev1_profile(mock_asa: Any) -> None:
    """The shipped Google Cloud VPN IKEv1 profile: its table has PFS group 2 only, so PFS group
    14 here is the mismatch the comparison puts first."""
    mock = mock_asa("mm_wait_msg6")
    child = _compare_with_profile(mock, "gcp-ikev1")
    child.expect(r"Changed: .* -> 203\.0\.113\.9: down IPSEC_PFS_MISMATCH")
    child.expect("the gcp-ikev1 peer expects PFS group 2")
    code, _ = _finish(child)
    assert code == 2
    assert not mock.debug_state.any_on


def test_ctrl_c_at_the_question_stops_and_still_reports(mock_asa: Any) -> None:
    mock = mock_asa("mm_wait_msg6")
    child = _spawn(mock, "--peer", PEER)
    child.expect(QUESTION)
    child.sendcontrol("c")
    child.expect("Guided run ended: stopped by the engineer")
    code, text = _finish(child)
    assert code == 2  # the diagnosis (down), not an interruption
    assert "IKE_AUTH_FAILED" in text
    assert not any(c.startswith("debug") for c in mock.commands())
    assert not mock.debug_state.any_on

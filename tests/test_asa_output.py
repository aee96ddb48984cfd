"""The ASA output rules written once in vpn_doctor.asa.output / asa.states."""

from __future__ import annotations

import pytest

from vpn_doctor.asa import output
from vpn_doctor.asa.states import IKE_STATES, PHASE1_UP, is_phase1_up
from vpn_doctor.collect.collector import is_rejection
from vpn_doctor.diagnose.findings import (
    VERDICT_PRECEDENCE,
    VERDICTS,
    exit_code_for_verdicts,
    severity_rank,
    worst_verdict,
)
from vpn_doctor.fleet.check import CRITICAL, OK, UNKNOWN, WARNING, worst_state


@pytest.mark.parametrize(
    "text",
    [
        "ERROR: % Invalid input detected at '^' marker.",
        "                 ^\nERROR: % Invalid input detected at '^' marker.",
        "% Incomplete command",
        'ERROR: % Ambiguous command:  "sh cry"',
        "Command authorization failed",
        "fw1# show crypto ikev3 sa % Invalid input detected at '^' marker.",
        "% INVALID INPUT DETECTED AT '^' MARKER.",
    ],
)
def test_refusals(text: str) -> None:
    assert output.is_refusal(text) and is_rejection(text)
    assert any(output.is_device_error(line) for line in text.splitlines())


@pytest.mark.parametrize(
    "text",
    [
        "There are no IKEv1 SAs",
        "      #send errors: 0, #recv errors: 0",
        "1\n2\n3\n4\nERROR: % Invalid input detected at '^' marker.",  # past the first lines
        "%ASA-4-750003: Local:1.1.1.1:500 Remote:2.2.2.2:500 Username:x IKEv2 Negotiation "
        "aborted due to ERROR: Failed to receive the AUTH msg before the timer expired",
    ],
)
def test_answers_are_not_refusals(text: str) -> None:
    assert not output.is_refusal(text)


def test_pager_and_prompts() -> None:
    assert output.is_pager_line("<--- More --->")
    assert output.is_pager_line("  <--- More --->              ")
    assert not output.is_pager_line("<--- More --->              1   IKE Peer: 203.0.113.9")
    assert output.PAGER.sub("", "<--- More --->              1   IKE Peer") == "1   IKE Peer"
    match = output.prompt_line().match("fw1/ctx(config)# show crypto isakmp sa")
    assert match and match["host"] == "fw1" and match["cmd"] == "show crypto isakmp sa"
    assert output.prompt_line("fw1").match("fw1> enable")
    assert not output.prompt_line("fw1").match("fw2# show version")
    assert not output.prompt_line().match("1   IKE Peer: 203.0.113.9")


def test_versions() -> None:
    line = "Cisco Adaptive Security Appliance Software Version 9.12(4)56"
    assert (match := output.ASA_SOFTWARE_VERSION.search(line)) and match["version"] == "9.12(4)56"
    assert output.ASA_SOFTWARE_VERSION.search("FXOS Software Version 2.3") is None
    assert (match := output.SOFTWARE_VERSION.search("Software Version 8.2(5)"))
    assert output.major_minor(match["version"]) == (8, 2)
    assert output.major_minor("junk") is None


def test_phase1_up_states_are_known_states() -> None:
    assert PHASE1_UP <= IKE_STATES
    assert is_phase1_up("mm_active") and is_phase1_up("READY") and is_phase1_up("AG_ACTIVE")
    assert not is_phase1_up("MM_WAIT_MSG2") and not is_phase1_up("QM_IDLE")


def test_one_verdict_precedence() -> None:
    assert set(VERDICT_PRECEDENCE) == set(VERDICTS)
    assert worst_verdict(["up", "degraded", "unknown"]) == "unknown"
    assert worst_verdict(["unknown", "down"]) == "down"
    assert worst_verdict(["bogus", "degraded"]) == "unknown"
    # Nagios states are the verdicts' exit codes, in the same order
    states = [exit_code_for_verdicts([v]) for v in VERDICT_PRECEDENCE]
    assert states == [CRITICAL, UNKNOWN, WARNING, OK]
    assert worst_state([OK, WARNING, UNKNOWN]) == UNKNOWN
    assert sorted(["info", "x", "critical", "warning"], key=severity_rank) == [
        "critical",
        "warning",
        "info",
        "x",
    ]

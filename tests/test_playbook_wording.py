"""The walk must read correctly to an engineer: every decision is a yes/no question whose
"yes" is the predicate being true, and a healthy tunnel's path never claims a deviation.

A step is printed either as its own finding text (``says_yes``/``says_no``) or, for a quiet
branch, as ``"<step> -> yes|no"``. "Which IKE version does the tunnel use? -> no" cannot be
read; "Do the parameters match the profile? -> no" reads as a deviation when the predicate
asked "does it deviate?". These tests pin the wording rules for every shipped node and read
the paths of every shipped scenario.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from mock_device import load_scenario, scenario_names
from vpn_doctor.diagnose.engine import default_playbooks, diagnose
from vpn_doctor.diagnose.findings import DIAGNOSIS_INCOMPLETE, DiagnosisReport
from vpn_doctor.parse.device import parse_snapshot

from helpers import scenario_snapshot

BOOK = default_playbooks()
DECISIONS = sorted(node_id for node_id, node in BOOK.nodes.items() if node.leaf is None)
LEAVES = sorted(node_id for node_id, node in BOOK.nodes.items() if node.leaf is not None)

# Interrogatives whose answer is not yes/no ("Which version? -> no").
OPEN_QUESTION = re.compile(r"^(which|what|how|where|why|when|who)\b", re.IGNORECASE)
# A quiet step: "<question>? -> yes|no".
QUIET = re.compile(r"^(?P<question>.*\?) -> (?P<answer>yes|no)$")
# Words that say something deviates/fails to match.
DEVIATION = re.compile(r"\b(deviat\w*|differ\w*|mismatch\w*|does not match|do not match)\b", re.I)


@cache
def _report(name: str) -> DiagnosisReport:
    return diagnose(parse_snapshot(scenario_snapshot(load_scenario(name))))


SCENARIOS = scenario_names()
HEALTHY = [
    name
    for name in SCENARIOS
    if load_scenario(name).expect.get("first_finding") == "TUNNEL_HEALTHY"
]


# ---- the playbook text --------------------------------------------------------------------------


@pytest.mark.parametrize("node_id", DECISIONS)
def test_every_decision_is_a_yes_no_question(node_id: str) -> None:
    step = BOOK.nodes[node_id].step.strip()
    assert step.endswith("?"), f"{node_id}: {step!r} is not a question"
    assert not OPEN_QUESTION.match(step), f"{node_id}: {step!r} cannot be answered yes/no"


@pytest.mark.parametrize("node_id", DECISIONS)
def test_says_texts_are_statements_not_questions(node_id: str) -> None:
    """says_yes/says_no state the finding ("IKE version: IKEv1 (not IKEv2)"), they do not ask."""
    node = BOOK.nodes[node_id]
    for text in (node.yes, node.no):
        assert not text.rstrip().endswith("?"), f"{node_id}: {text!r}"


@pytest.mark.parametrize("node_id", LEAVES)
def test_every_leaf_names_its_code(node_id: str) -> None:
    """The last step of a path says the code the walk concluded, like every other leaf."""
    node = BOOK.nodes[node_id]
    assert node.leaf is not None
    assert node.says.startswith(f"-> {node.leaf.code}"), f"{node_id}: {node.says!r}"


def test_the_ike_version_question_answers_both_ways() -> None:
    node = BOOK.nodes["tunnel.which_version"]
    assert node.step == "Is the IKE SA an IKEv2 SA?"
    assert "IKEv2" in node.yes and "not IKEv2" in node.no


def test_the_profile_question_asks_for_a_deviation() -> None:
    """profile_deviates is true on a deviation, so the question must ask "deviate?"."""
    node = BOOK.nodes["phase2.profile"]
    assert "deviate" in node.step and "match" not in node.step


# ---- the paths of the shipped scenarios ---------------------------------------------------------


@pytest.mark.parametrize("name", HEALTHY)
def test_healthy_path_claims_no_deviation(name: str) -> None:
    """A healthy tunnel: no question about matching answered "no", no step saying something
    deviates or differs, and the path ends at TUNNEL_HEALTHY."""
    report = _report(name)
    peer = load_scenario(name).expect["peer"]
    (tunnel,) = [t for t in report.tunnels if t.peer == peer]
    assert tunnel.findings[0].code == "TUNNEL_HEALTHY"
    for step in tunnel.steps:
        quiet = QUIET.match(step.text)
        if quiet:
            question, answer = quiet["question"], quiet["answer"]
            if "match" in question and not DEVIATION.search(question):
                assert answer == "yes", step.text  # "Do X match? -> no" is a deviation
        elif step.answer is not None:
            assert not DEVIATION.search(step.text), step.text
    assert tunnel.steps[-1].text.startswith("-> TUNNEL_HEALTHY"), tunnel.steps[-1].text


@pytest.mark.parametrize("name", SCENARIOS)
def test_quiet_steps_are_the_question_and_its_answer(name: str) -> None:
    """Quiet steps print "<question>? -> yes|no" with the answer the walk took."""
    for tunnel in _report(name).tunnels:
        for step in tunnel.steps:
            if step.answer is None or step.shown:
                continue
            quiet = QUIET.match(step.text)
            assert quiet, step.text
            assert quiet["answer"] == ("yes" if step.answer else "no"), step.text
            assert not OPEN_QUESTION.match(quiet["question"]), step.text


@pytest.mark.parametrize("name", SCENARIOS)
def test_path_ends_on_the_reported_cause(name: str) -> None:
    """The last step names findings[0]: the leaf, or a closing step saying why another
    finding (log, configuration) ranks above the leaf."""
    for tunnel in _report(name).tunnels:
        top = tunnel.findings[0].code
        last = tunnel.steps[-1].text
        if top == DIAGNOSIS_INCOMPLETE:
            assert "could not determine" in last, last
        else:
            assert last.startswith(f"-> {top}"), (tunnel.peer, last, top)
        assert tunnel.path and tunnel.path[-1] == last  # the JSON path ends the same way


def test_a_log_override_is_explained_in_the_path() -> None:
    """No IKE SA, so the state alone reads IKE_NO_SA; the 717009 line names the cause."""
    (tunnel,) = _report("code_IKE_CERT_INVALID").tunnels
    assert tunnel.findings[0].code == "IKE_CERT_INVALID"
    assert any(step.text.startswith("-> IKE_NO_SA") for step in tunnel.steps)
    last = tunnel.path[-1]
    assert last.startswith("-> IKE_CERT_INVALID ranks above IKE_NO_SA: the log names the cause")
    assert "%ASA-3-717009" in last


def test_ikev1_tunnel_says_its_version() -> None:
    (tunnel,) = [t for t in _report("code_TUNNEL_HEALTHY").tunnels if t.peer == "203.0.113.9"]
    assert "IKE version: IKEv1 (not IKEv2) -> read the IKEv1 main/aggressive-mode state" in (
        tunnel.path
    )


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("debug", "the log names the cause (%ASA-3-717009: Certificate validation failed)"),
        ("alternative+config", "the configuration confirms the alternative to IKE_AUTH_FAILED"),
        ("config", "the configuration shows a critical problem (No crypto map entry)"),
    ],
)
def test_ranking_step_says_why_another_finding_leads(source: str, why: str) -> None:
    from vpn_doctor.diagnose.conclude import WalkResult, ranking_step
    from vpn_doctor.diagnose.findings import Finding

    leaf = BOOK.nodes["ikev1.psk_initiator"].leaf
    assert leaf is not None
    top = Finding(
        code="IPSEC_PFS_MISMATCH",
        severity="critical",
        title="No crypto map entry",
        evidence=("Nov 22 2025 11:40:05: %ASA-3-717009: Certificate validation failed",),
        source=source,
    )
    step = ranking_step(WalkResult((), leaf, "ikev1.psk_initiator"), (top,))
    assert step is not None and step.answer is None
    assert step.text == f"-> IPSEC_PFS_MISMATCH ranks above IKE_AUTH_FAILED: {why}"
    assert ranking_step(WalkResult((), leaf, "ikev1.psk_initiator"), ()) is None

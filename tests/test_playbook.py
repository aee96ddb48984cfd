"""Playbook loading and validation: the shipped set is complete, broken ones fail clearly."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from vpn_doctor.diagnose.findings import CONTRACT3_CODES
from vpn_doctor.diagnose.playbook import load_playbooks
from vpn_doctor.diagnose.predicates import REGISTRY
from vpn_doctor.errors import ExitCode, PlaybookError
from vpn_doctor.resources import playbooks_dir


def test_shipped_playbooks_load_and_cover_contract3() -> None:
    book = load_playbooks()
    assert book.missing_contract_codes() == []
    assert set(book.catalogue) >= set(CONTRACT3_CODES)


def test_every_predicate_documents_why() -> None:
    for name, func in REGISTRY.items():
        assert func.__doc__ and len(func.__doc__.split()) >= 5, name


def test_role_specific_meanings() -> None:
    """The same code carries a different meaning per role where the ASA state differs."""
    book = load_playbooks()
    initiator = book.nodes["ikev1.psk_initiator"].leaf
    responder = book.nodes["ikev1.psk_responder"].leaf
    assert initiator and responder and initiator.code == responder.code == "IKE_AUTH_FAILED"
    assert "initiator" in initiator.meaning and "responder" in responder.meaning
    assert [a.finding for a in initiator.alternatives] == ["IPSEC_PFS_MISMATCH"]


@pytest.fixture
def book_dir(tmp_path: Path) -> Path:
    target = tmp_path / "playbooks"
    shutil.copytree(playbooks_dir(), target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "ikev1.yaml",
            "predicate: ike_state_in, params: {states: [MM_WAIT_MSG2]}",
            "predicate: ike_state_is_magic",
            "unknown predicate 'ike_state_is_magic'",
        ),
        (
            "ikev1.yaml",
            "params: {states: [MM_WAIT_MSG2]}",
            "params: {state: [MM_WAIT_MSG2]}",
            "bad params for predicate 'ike_state_in'",
        ),
        (
            "ikev1.yaml",
            "finding: IKE_PROPOSAL_MISMATCH",
            "finding: IKE_IS_SAD",
            "not a Contract 3 code",
        ),
        (
            "ikev1.yaml",
            "    then: stalled_initiator\n    else: sa_setup",
            "    then: stalled_initiator\n    else: nowhere",
            "unknown node 'ikev1.nowhere'",
        ),
        (
            "ikev1.yaml",
            "    then: stalled_initiator\n    else: msg5",
            "    then: stalled_initiator\n    else: start",
            "cycle",
        ),
        (
            "ikev1.yaml",
            'says_yes: "show crypto isakmp sa: peer {peer} is MM_WAIT_MSG2',
            'says_yes: "show crypto isakmp sa: peer {pear} is MM_WAIT_MSG2',
            "unknown placeholder(s) ['pear']",
        ),
        (
            "ikev1.yaml",
            '    says_yes: "show crypto isakmp sa: peer {peer} is MM_WAIT_MSG2',
            '    yes: "show crypto isakmp sa: peer {peer} is MM_WAIT_MSG2',
            "says_yes/says_no",
        ),
        ("ikev1.yaml", "  msg2:\n", "  msg2:\n    colour: blue\n", "unknown key(s)"),
    ],
)
def test_broken_playbooks_name_file_and_node(
    book_dir: Path, file: str, old: str, new: str, message: str
) -> None:
    _edit(book_dir / file, old, new)
    with pytest.raises(PlaybookError) as info:
        load_playbooks(book_dir)
    text = str(info.value)
    assert message in text
    assert file in text
    assert "node '" in text or "finding '" in text
    assert info.value.exit_code == ExitCode.BAD_PLAYBOOK


def test_unreachable_node_is_reported(book_dir: Path) -> None:
    with (book_dir / "ikev1.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n  orphan:\n    finding: IKE_NO_SA\n")
    with pytest.raises(PlaybookError, match=r"ikev1.yaml:\d+: node 'ikev1.orphan': not reachable"):
        load_playbooks(book_dir)


def test_catalogue_must_hold_every_code(book_dir: Path) -> None:
    _edit(book_dir / "findings.yaml", "  TUNNEL_HEALTHY:\n", "  TUNNEL_HEALTHY_X:\n")
    with pytest.raises(PlaybookError, match="TUNNEL_HEALTHY_X"):
        load_playbooks(book_dir)


def test_exactly_one_root(book_dir: Path) -> None:
    _edit(book_dir / "tunnel.yaml", "root: true", "root: false")
    with pytest.raises(PlaybookError, match="exactly one playbook must have 'root: true'"):
        load_playbooks(book_dir)


def test_no_python_in_playbooks() -> None:
    """Playbooks are data: no eval-able strings, only predicate names from the registry."""
    for path in playbooks_dir().glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        for marker in ("lambda", "eval(", "__", "import "):
            assert marker not in text, (path.name, marker)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "params: {states: [MM_WAIT_MSG2]}",
            "params: {states: [MM_WAIT_MSG22]}",
            "states 'MM_WAIT_MSG22' is not a known ike state",
        ),
        (
            "params: {codes: [IKE_CERT_PEER_ID]}",
            "params: {codes: [IKE_CERT_PEER_IDD]}",
            "codes 'IKE_CERT_PEER_IDD' is not a known finding code",
        ),
        (
            'params: {states: ["AG_*", "AM_*"]}',
            'params: {states: ["AGG_*", "AM_*"]}',
            "states 'AGG_*' is not a known ike state",
        ),
    ],
)
def test_vocabulary_typos_fail_at_load_with_file_and_line(
    book_dir: Path, old: str, new: str, message: str
) -> None:
    _edit(book_dir / "ikev1.yaml", old, new)
    with pytest.raises(PlaybookError) as info:
        load_playbooks(book_dir)
    text = str(info.value)
    assert message in text
    line = next(
        n
        for n, row in enumerate((book_dir / "ikev1.yaml").read_text().splitlines(), 1)
        if new in row
    )
    # the node's line: the node key sits a few lines above its `when:`
    assert re.search(rf"ikev1\.yaml:({line - 2}|{line - 1}): node 'ikev1\.", text), text
    assert info.value.exit_code == ExitCode.BAD_PLAYBOOK


def test_finding_code_typo_names_its_file(book_dir: Path) -> None:
    _edit(
        book_dir / "ikev2.yaml",
        "codes: [IKE_PROPOSAL_MISMATCH]",
        "codes: [IKE_PROPOSAL_MISMATCHH]",
    )
    with pytest.raises(PlaybookError, match=r"ikev2\.yaml:\d+: node 'ikev2\..*MISMATCHH'"):
        load_playbooks(book_dir)


def test_a_directory_vocabulary_replaces_the_shipped_one(book_dir: Path) -> None:
    """A custom playbook directory may extend the vocabulary (a new state for a new release)."""
    _edit(book_dir / "ikev1.yaml", "states: [MM_WAIT_MSG2]}", "states: [MM_WAIT_MSG2, MM_NEW]}")
    with pytest.raises(PlaybookError, match="MM_NEW"):
        load_playbooks(book_dir)
    _edit(book_dir / "vocabulary.yaml", "  - MM_ACTIVE\n", "  - MM_ACTIVE\n  - MM_NEW\n")
    assert "ikev1.msg2" in load_playbooks(book_dir).nodes


def test_bad_finding_phase_names_the_vocabulary(book_dir: Path) -> None:
    _edit(book_dir / "findings.yaml", "    phase: phase1\n", "    phase: phase_one\n")
    with pytest.raises(PlaybookError, match=r"findings.yaml:\d+: finding 'IKE_NO_SA': phase must"):
        load_playbooks(book_dir)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("phase1_up: [MM_ACTIVE,", "phase1_up: [MM_ACTIV,", r"vocabulary.yaml:\d+: unknown state"),
        ("ike_roles:", "ike_rolez:", r"vocabulary.yaml:\d+: unknown key\(s\) \['ike_rolez'\]"),
        ("  states: ike_states", "  states: ike_statez", r"vocabulary.yaml:\d+: unknown vocab"),
        ("ike_versions: [1, 2]", "ike_versions: [1, two]", r"vocabulary.yaml:\d+: 'ike_versions'"),
    ],
)
def test_broken_vocabulary_names_file_and_line(
    book_dir: Path, old: str, new: str, message: str
) -> None:
    _edit(book_dir / "vocabulary.yaml", old, new)
    with pytest.raises(PlaybookError, match=message):
        load_playbooks(book_dir)

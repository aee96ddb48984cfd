"""Offline explanations: states per role, syslog ids in every spelling, finding codes."""

from __future__ import annotations

import re

import pytest

from vpn_doctor.diagnose import explain as X
from vpn_doctor.diagnose.messages import CATALOGUE, FINDING_CODES


def test_knowledge_loads_and_covers_every_finding_code() -> None:
    kb = X.knowledge()
    findings = {e.key for e in kb.values() if e.kind == "finding"}
    assert findings == FINDING_CODES | X.EXTENSION_CODES


@pytest.mark.parametrize(
    ("state", "role"),
    [
        ("MM_WAIT_MSG2", "initiator"),
        ("MM_WAIT_MSG3", "responder"),
        ("MM_WAIT_MSG4", "initiator"),
        ("MM_WAIT_MSG5", "responder"),
        ("MM_WAIT_MSG6", "initiator"),
    ],
)
def test_mm_wait_states_have_the_right_role(state: str, role: str) -> None:
    e = X.explain(state)
    assert e is not None and e.kind == "ike_state" and e.role == role
    assert e.causes and e.checks and e.remediation and e.related


@pytest.mark.parametrize(
    ("term", "key", "same_as"),
    [
        ("mm_active", "MM_ACTIVE", None),
        ("AM_Active", "AM_ACTIVE", None),
        ("AG_NO_STATE", "AG_NO_STATE", None),
        ("OAK_MM_NO_STATE", "OAK_MM_NO_STATE", "MM_NO_STATE"),
        ("OAK_MM_KEY_EXCH", "OAK_MM_KEY_EXCH", "MM_KEY_EXCH"),
        ("XX_KEY_EXCH", "XX_KEY_EXCH", "MM_KEY_EXCH"),
        ("MM_INIT_EXCH", "MM_INIT_EXCH", None),
        ("AG_INIT_EXCH", "AG_INIT_EXCH", None),
        ("QM_IDLE", "QM_IDLE", None),
        ("READY", "READY", None),
        ("UP-ACTIVE", "UP-ACTIVE", "READY"),
        ("NEGOTIATE", "NEGOTIATE", "IN-NEG"),
        (" %ASA-3-713061 ", "713061", None),
        ("%ASA-3-713061:", "713061", None),
        ("ASA-3-713061", "713061", None),
        ("713061", "713061", None),
        ("IKE_AUTH_FAILED", "IKE_AUTH_FAILED", None),
        ("ike_no_sa", "IKE_NO_SA", None),
        ("SA_EXPIRING_NO_REKEY", "SA_EXPIRING_NO_REKEY", None),
    ],
)
def test_lookup_spellings(term: str, key: str, same_as: str | None) -> None:
    """Every term answers as itself (issue 15: AG_INIT_EXCH used to show MM_INIT_EXCH); an
    alternative name says which state it is another name of."""
    e = X.explain(term)
    assert e is not None and e.key == key
    if same_as:
        assert same_as in e.title and same_as in e.aliases


def test_every_known_term_has_its_own_clean_entry() -> None:
    """No term resolves to another's key, no title stops mid-sentence, and no maintainer
    note or source tag leaks into what the user reads."""
    leaks = re.compile(r"KNOWLEDGE|seed:|§|\bS\d+\b|not verified in the sources|field guide")
    cut = re.compile(r"(\b(the|a|an|and|or|of|to|for|with|its)|'s|,)$")
    for term in X.known_terms():
        e = X.explain(term)
        assert e is not None, term
        assert e.key == X._normalise(term), term
        assert not cut.search(e.title.strip()), (term, e.title)
        text = " ".join([e.title, e.meaning, *e.causes, *e.checks, *e.remediation])
        assert not leaks.search(text), (term, text)


def test_aggressive_mode_states_are_not_main_mode() -> None:
    assert "aggressive" in X.explain("AG_INIT_EXCH").title.lower()  # type: ignore[union-attr]
    responder = X.explain("AM_WAIT_MSG3")
    assert responder is not None and responder.role == "responder"


def test_unknown_terms_return_none() -> None:
    assert X.explain("") is None
    assert X.explain("   ") is None
    assert X.explain("NOT_A_THING") is None
    assert X.explain("999999") is None


def test_every_catalogued_syslog_id_is_explained() -> None:
    for p in CATALOGUE:
        for term in filter(None, (p.syslog, p.id)):
            e = X.explain(term)
            assert e is not None, term
            assert e.title and e.meaning


def test_catalogue_fallback_borrows_checks_from_the_implied_code() -> None:
    e = X.explain("%ASA-4-402119")
    assert e is not None and e.kind == "syslog" and e.related == ("IPSEC_ERRORS",)
    assert e.checks == X.explain("IPSEC_ERRORS").checks  # type: ignore[union-attr]
    assert e.patterns == ("402119",)


def test_unverified_entries_are_marked() -> None:
    e = X.explain("AM_WAIT_MSG2")
    assert e is not None and e.confidence == "U"
    e = X.explain("113019_PHASE2_MISMATCH")
    assert e is not None and e.confidence == "U" and "not verified" in e.meaning


def test_syslog_entries_list_their_patterns() -> None:
    e = X.explain("713061")
    assert e is not None
    assert set(e.patterns) == {"713061", "713061_ANY_ANY", "713061_GUIDE"}
    assert "IPSEC_AWS_SINGLE_SA" in e.related


def test_auth_failed_mentions_pfs() -> None:
    e = X.explain("IKE_AUTH_FAILED")
    assert e is not None
    assert "PFS" in e.meaning
    assert any("pfs" in c.lower() for c in e.checks)


def test_known_terms_all_resolve() -> None:
    terms = X.known_terms()
    assert len(terms) > 100
    assert all(X.explain(t) is not None for t in terms)


def test_bad_knowledge_is_rejected() -> None:
    with pytest.raises(X.KnowledgeError):
        X._parse_entry({"key": "X", "kind": "nope", "confidence": "V", "title": "t",
                        "meaning": "m"}, 0)  # fmt: skip
    with pytest.raises(X.KnowledgeError):
        X._parse_entry({"key": "X", "kind": "finding", "confidence": "V", "title": "t",
                        "meaning": "m"}, 0)  # fmt: skip
    with pytest.raises(X.KnowledgeError):
        X._parse_entry({"key": "MM_X", "kind": "ike_state", "confidence": "V", "title": "t",
                        "meaning": "m", "related": ["NOT_A_CODE"]}, 0)  # fmt: skip
    with pytest.raises(X.KnowledgeError):
        X._parse_entry({"key": "MM_X", "kind": "ike_state", "confidence": "V", "title": "t",
                        "meaning": "m", "causes": "not a list"}, 0)  # fmt: skip

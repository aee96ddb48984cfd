"""Configuration checks: data-driven cases (tests/data/config_checks/*.yml, format in the
README there) plus the rules a case file cannot express well (honesty about missing data,
ordering, the Finding conversion)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from vpn_doctor.config_models import CryptoConfig
from vpn_doctor.diagnose.checks.run import CHECKS, ConfigIssue, run_config_checks
from vpn_doctor.diagnose.findings import ALL_CODES
from vpn_doctor.diagnose.profiles import PeerProfile, load_profile
from vpn_doctor.models import IpsecSa, ParseStatus
from vpn_doctor.parse.config.sections import parse_crypto_config
from vpn_doctor.parse.device import parse_ipsec_sa

DATA = Path(__file__).parent / "data"
CASES = sorted((DATA / "config_checks").glob("*.yml"))


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return (DATA / str(value["file"])).read_text(encoding="utf-8")
    return str(value or "")


def _load(case: Path) -> tuple[dict[str, Any], CryptoConfig, tuple[IpsecSa, ...]]:
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    config = parse_crypto_config({cmd: _text(out) for cmd, out in spec["outputs"].items()})
    sas: tuple[IpsecSa, ...] = ()
    if "ipsec_sa" in spec:
        result = parse_ipsec_sa(_text(spec["ipsec_sa"]))
        assert result.records, result.warnings
        sas = result.records
    return spec, config, sas


def _profile(spec: dict[str, Any]) -> PeerProfile | None:
    """A profile name (``aws``) or a file path relative to tests/data."""
    value = spec.get("profile")
    if not value:
        return None
    return load_profile(DATA / value if value.endswith(".yaml") else value)


def _run(case: Path) -> tuple[dict[str, Any], list[ConfigIssue]]:
    spec, config, sas = _load(case)
    assert config.warnings == (), config.warnings  # fixtures must parse cleanly
    return spec, run_config_checks(config, spec["peer"], sas, _profile(spec))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_case(case: Path) -> None:
    spec, issues = _run(case)
    expect = spec["expect"]
    described = [(i.code, i.severity, i.title) for i in issues]
    assert [i.code for i in issues] == expect["codes"], described
    for issue, wanted in zip(issues, expect.get("issues", []), strict=False):
        assert issue.code == wanted["code"]
        if "severity" in wanted:
            assert issue.severity == wanted["severity"], issue.title
        for line in wanted.get("evidence", []):
            assert line in issue.evidence, (line, issue.evidence)
        if "remediation" in wanted:
            assert list(issue.remediation) == wanted["remediation"]


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_issue_shape(case: Path) -> None:
    """Every issue: a Contract 3 code (or addition), evidence, read-only checks, a reason."""
    _, issues = _run(case)
    for issue in issues:
        assert issue.code in ALL_CODES
        assert issue.severity in ("critical", "warning", "info")
        assert issue.evidence and all(line.strip() for line in issue.evidence), issue.title
        assert issue.checks and all(c.startswith("show ") for c in issue.checks)
        assert issue.meaning and issue.check in {c.__name__ for c in CHECKS}
        finding = issue.to_finding()
        assert (finding.code, finding.evidence, finding.remediation) == (
            issue.code,
            issue.evidence,
            issue.remediation,
        )


def test_evidence_quotes_the_device() -> None:
    """Evidence lines are device lines, never our paraphrase: each one is in some output."""
    assert len(CASES) >= 20, "the parametrised tests collect these cases: none would skip them"
    checked = 0
    for case in CASES:
        spec, config, sas = _load(case)
        outputs = "\n".join(_text(o) for o in spec["outputs"].values())
        outputs += "\n" + _text(spec.get("ipsec_sa"))
        for issue in run_config_checks(config, spec["peer"], sas, _profile(spec)):
            for line in issue.evidence:
                assert line.strip() in outputs, (case.stem, line)
                checked += 1
    assert checked >= len(CASES)


def test_critical_issues_come_first() -> None:
    _, issues = _run(DATA / "config_checks" / "profile_deviations.yml")
    ranks = [("critical", "warning", "info").index(i.severity) for i in issues]
    assert ranks == sorted(ranks) and ranks[0] == 0


def test_nothing_collected_says_nothing() -> None:
    """No output, no claim: absence is never inferred from what was not collected."""
    assert run_config_checks(CryptoConfig(), "203.0.113.9", (), load_profile("aws")) == []


def test_partial_output_makes_no_absence_claims() -> None:
    """A pager-cut tunnel-group output cannot prove that the tunnel-group is missing."""
    spec, config, _ = _load(DATA / "config_checks" / "tunnel_group_missing.yml")
    status = dict(config.status)
    status["show running-config tunnel-group"] = ParseStatus.PARTIAL
    codes = [i.code for i in run_config_checks(replace(config, status=status), spec["peer"])]
    assert "IKE_AUTH_FAILED" not in codes
    assert "IKE_AUTH_FAILED" in [i.code for i in run_config_checks(config, spec["peer"])]


def test_other_peers_sas_are_ignored() -> None:
    spec, config, sas = _load(DATA / "config_checks" / "nat_missing_one_way.yml")
    others = tuple(replace(sa, peer="192.0.2.200") for sa in sas)
    (issue,) = run_config_checks(config, spec["peer"], others)
    assert issue.severity == "warning"  # the one-way SA belongs to someone else


def test_stale_sa_proxies_not_in_acl() -> None:
    spec, config, _ = _load(DATA / "config_checks" / "nat_missing_one_way.yml")
    config = replace(config, nat_rules=())
    wider = parse_ipsec_sa(
        _text(spec["ipsec_sa"]).replace("192.168.50.0/255.255.255.0", "192.168.0.0/255.255.0.0")
    ).records
    issues = [i for i in run_config_checks(config, spec["peer"], wider) if i.check]
    proxy = [i for i in issues if i.code == "IPSEC_PROXY_MISMATCH"]
    assert len(proxy) == 1 and proxy[0].severity == "warning"
    assert proxy[0].remediation == (
        "access-list outside_cryptomap_10 extended permit ip "
        "10.0.202.0 255.255.255.0 192.168.0.0 255.255.0.0",
    )


# ---- expected vs accepted (profiles/README.md) ----------------------------------------------

CHECKS_DIR = DATA / "config_checks"


def _without_accepted(profile: PeerProfile) -> PeerProfile:
    """The profile as it was before `accepted` lists existed (accepted = expected)."""
    p1 = replace(profile.phase1, accepted_encryption=(), accepted_hash=(), accepted_dh_group=())
    p2 = replace(
        profile.phase2, accepted_encryption=(), accepted_integrity=(), accepted_pfs_group=()
    )
    return replace(profile, phase1=p1, phase2=p2)


def _issues(name: str, profile: PeerProfile) -> list[ConfigIssue]:
    spec, config, sas = _load(CHECKS_DIR / f"{name}.yml")
    return run_config_checks(config, spec["peer"], sas, profile)


def test_aws_strong_policy_is_no_proposal_mismatch() -> None:
    """AES-256 / SHA-256 / DH 14 towards AWS, no SA: AWS accepts it (KNOWLEDGE.md 8), so no
    mismatch code at all; 3DES / MD5 still is the critical IKE_PROPOSAL_MISMATCH."""
    aws = load_profile("aws")
    strong = _issues("aws_strong_accepted_no_sa", aws)
    assert strong and {(i.code, i.severity) for i in strong} == {
        ("TUNNEL_PROFILE_DEVIATION", "info")
    }
    weak = _issues("aws_3des_md5_no_sa", aws)
    assert [(i.code, i.severity) for i in weak] == [("IKE_PROPOSAL_MISMATCH", "critical")]


def test_accepted_with_sa_deviates_only_outside_expected() -> None:
    aws = load_profile("aws")
    inside = _issues("aws_strong_accepted_with_sa", aws)
    assert {(i.code, i.severity) for i in inside} == {("TUNNEL_PROFILE_DEVIATION", "info")}
    assert _issues("aws_healthy", aws) == []  # the expected values: nothing at all
    outside = _issues("pfs_wrong_group_with_sa", aws)  # group 1: outside accepted, SA up
    assert [(i.code, i.severity) for i in outside] == [("TUNNEL_PROFILE_DEVIATION", "warning")]


def test_profile_without_accepted_lists_behaves_as_before() -> None:
    """Stripped of its accepted lists, the AWS profile gives exactly the old results: every
    difference from the expected values is a mismatch (critical without an SA, a warning
    deviation with one), and nothing is ever an 'accepted' info."""
    old = _without_accepted(load_profile("aws"))
    assert [(i.code, i.severity) for i in _issues("aws_strong_accepted_no_sa", old)] == [
        ("IKE_PROPOSAL_MISMATCH", "critical"),
        ("IPSEC_TRANSFORM_MISMATCH", "critical"),
        ("IPSEC_PFS_MISMATCH", "critical"),
    ]
    deviations = _issues("profile_deviations", old)
    assert [i.code for i in deviations] == [
        "IKE_AGGRESSIVE_MODE",
        "IKE_PROPOSAL_MISMATCH",
        "IPSEC_TRANSFORM_MISMATCH",
        "TUNNEL_PROFILE_DEVIATION",
        "TUNNEL_PROFILE_DEVIATION",
        "TUNNEL_PROFILE_DEVIATION",
    ]
    assert deviations[1].title == "No IKEv1 policy matches the aws peer (aes128, sha1, DH group 2)"
    assert deviations[2].remediation == (
        "crypto ipsec ikev1 transform-set AWS-AES128-SHA1 esp-aes esp-sha-hmac",
        "crypto map outside_map 10 set ikev1 transform-set AWS-AES128-SHA1",
    )
    (pfs,) = _issues("pfs_accepted_group_with_sa", old)
    assert (pfs.code, pfs.severity) == ("TUNNEL_PROFILE_DEVIATION", "warning")
    assert pfs.remediation == ("crypto map amzn_vpn_map 1 set pfs group2",)
    assert pfs.title.endswith("the aws peer expects PFS group 2")
    for case in CASES:
        spec, config, sas = _load(case)
        profile = _profile(spec)
        if profile is None:
            continue
        issues = run_config_checks(config, spec["peer"], sas, _without_accepted(profile))
        assert not [i for i in issues if i.severity == "info"], case.stem

"""diagnose/next_step.py: the guided run's choice of step comes from the playbook data."""

from __future__ import annotations

from pathlib import Path

import pytest

from vpn_doctor.diagnose.findings import DiagnosisReport, Finding, TunnelDiagnosis
from vpn_doctor.diagnose.next_step import (
    StepError,
    choose_step,
    is_decided,
    parse_step,
)
from vpn_doctor.diagnose.playbook import PlaybookError, load_playbooks, playbooks_dir


def _report(
    code: str,
    verdict: str = "down",
    alternatives: tuple[str, ...] = (),
    evidence: tuple[str, ...] = (),
) -> DiagnosisReport:
    finding = Finding(
        code=code, severity="critical", title=code, alternatives=alternatives, evidence=evidence
    )
    tunnel = TunnelDiagnosis(
        peer="203.0.113.9",
        verdict=verdict,  # type: ignore[arg-type]
        findings=(finding,),
    )
    return DiagnosisReport(tunnels=(tunnel,))


def test_parse_step_knows_debug_samples_and_show_only() -> None:
    assert parse_step("debug") == ("debug", "")
    assert parse_step("samples") == ("samples", "")
    assert parse_step("profile") == ("profile", "")
    assert parse_step("show crypto isakmp sa") == ("show", "show crypto isakmp sa")
    for bad in ("", "show", "clear crypto ipsec sa", "debug crypto ikev1 255", 3):
        with pytest.raises(StepError):
            parse_step(bad)


def test_psk_or_pfs_offers_the_debug_named_by_the_alternative() -> None:
    report = _report("IKE_AUTH_FAILED", alternatives=("IPSEC_PFS_MISMATCH",))
    step = choose_step(report, load_playbooks())
    assert step is not None and step.kind == "debug" and step.peer == "203.0.113.9"
    assert "IPSEC_PFS_MISMATCH" in step.reason
    assert not is_decided(report)
    then = choose_step(report, load_playbooks(), done={"debug"})
    assert then is not None and then.kind == "profile"  # then the other end's settings
    assert choose_step(report, load_playbooks(), done={"debug", "profile"}) is None


def test_catalogue_next_steps_no_sa_debug_and_healthy_sample() -> None:
    books = load_playbooks()
    no_sa = choose_step(_report("IKE_NO_SA"), books)
    assert no_sa is not None and no_sa.kind == "debug"
    healthy = choose_step(_report("TUNNEL_HEALTHY", verdict="up"), books)
    assert healthy is not None and healthy.kind == "samples"
    assert choose_step(_report("IPSEC_ONE_WAY", verdict="degraded"), books) is None


def test_decided_needs_a_verdict_and_no_alternative() -> None:
    assert is_decided(_report("IKE_AUTH_FAILED"))
    assert not is_decided(_report("DIAGNOSIS_INCOMPLETE", verdict="unknown"))
    assert not is_decided(DiagnosisReport())


def test_a_bad_step_in_the_data_fails_at_load(tmp_path: Path) -> None:
    for source in playbooks_dir().glob("*.yaml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    target = tmp_path / "ikev1.yaml"
    text = target.read_text(encoding="utf-8")
    assert "step: [debug, profile]" in text
    bad = text.replace("step: [debug, profile]", "step: [debug, clear crypto ipsec sa]", 1)
    target.write_text(bad, "utf-8")
    with pytest.raises(PlaybookError, match="unknown step"):
        load_playbooks(tmp_path)


def test_an_incomplete_walk_offers_the_missing_output_once() -> None:
    books = load_playbooks()
    missing = ("show crypto ipsec sa peer 203.0.113.9: missing",)
    report = _report("DIAGNOSIS_INCOMPLETE", verdict="unknown", evidence=missing)
    step = choose_step(report, books)
    assert step is not None and (step.kind, step.command) == (
        "show",
        "show crypto ipsec sa peer 203.0.113.9",
    )
    assert choose_step(report, books, done={step.key}) is None  # already read: never again
    odd = _report("DIAGNOSIS_INCOMPLETE", verdict="unknown", evidence=("no command here",))
    assert choose_step(odd, books) is None

"""check_certificates (IKE_CERT_INVALID from `show crypto ca certificates`), the reference
clock, and when `diagnose` collects the certificates at all (certificate tunnels only)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from vpn_doctor.cli.diagnose import peer_certificate_round, peer_second_round, uses_certificates
from vpn_doctor.config_models import CryptoConfig
from vpn_doctor.diagnose.checks.base import CheckContext, ConfigIssue
from vpn_doctor.diagnose.checks.certs import check_certificates
from vpn_doctor.diagnose.checks.run import run_config_checks
from vpn_doctor.models import Snapshot
from vpn_doctor.parse.config.sections import parse_crypto_config

PEER = "203.0.113.71"
CERTS = (Path(__file__).parent / "data" / "config" / "ca_certificates.raw").read_text()
MAP = (
    "crypto map outside_map 71 match address outside_cryptomap_71\n"
    f"crypto map outside_map 71 set peer {PEER}\n"
    "crypto map outside_map 71 set ikev1 transform-set ESP-AES-256-SHA\n"
    "crypto map outside_map interface outside\n"
)
TG_CERT = (
    f"tunnel-group {PEER} type ipsec-l2l\n"
    f"tunnel-group {PEER} ipsec-attributes\n"
    " ikev1 trust-point TP-PEER\n"
)
TG_PSK = (
    f"tunnel-group {PEER} type ipsec-l2l\n"
    f"tunnel-group {PEER} ipsec-attributes\n"
    " ikev1 pre-shared-key *****\n"
)
# the identity certificate in ca_certificates.raw: Mar 1 2025 .. Mar 1 2026 (UTC)
INSIDE = datetime(2025, 9, 1, tzinfo=timezone.utc)
AFTER = datetime(2026, 11, 22, tzinfo=timezone.utc)
BEFORE = datetime(2025, 1, 15, tzinfo=timezone.utc)


def _config(certs: str | None = CERTS, tg: str = TG_CERT, crypto_map: str = MAP) -> CryptoConfig:
    outputs = {"show running-config crypto map": crypto_map, "show running-config tunnel-group": tg}
    if certs is not None:
        outputs["show crypto ca certificates"] = certs
    return parse_crypto_config(outputs)


def _check(config: CryptoConfig, now: datetime | None = None) -> list[ConfigIssue]:
    return check_certificates(CheckContext(config, PEER, now=now))


def test_valid_certificate_says_nothing() -> None:
    assert _check(_config(), INSIDE) == []


def test_expired_identity_certificate() -> None:
    [issue] = _check(_config(), AFTER)
    assert issue.code == "IKE_CERT_INVALID" and issue.severity == "critical"
    assert "expired" in issue.title and "TP-PEER" in issue.title
    assert " ikev1 trust-point TP-PEER" in issue.evidence
    assert "    end   date: 10:00:00 UTC Mar 1 2026" in issue.evidence
    assert issue.remediation == ("crypto ca enroll TP-PEER",)


def test_not_yet_valid_identity_certificate() -> None:
    [issue] = _check(_config(), BEFORE)
    assert "not yet valid" in issue.title
    assert "    start date: 10:00:00 UTC Mar 1 2025" in issue.evidence
    assert issue.remediation == ("crypto ca enroll TP-PEER",)


def test_expired_ca_certificate_needs_the_ca_again() -> None:
    [issue] = _check(_config(), datetime(2035, 1, 1, tzinfo=timezone.utc))[:1]
    assert "CA certificate" in issue.title
    assert issue.remediation[0] == "crypto ca authenticate TP-PEER"


def test_renewed_certificate_next_to_the_expired_one_is_fine() -> None:
    renewed = CERTS.replace("Serial Number: 1a2b", "Serial Number: 1a2c").replace(
        "Mar 1 2026", "Mar 1 2028"
    )
    assert _check(_config(CERTS + "\n" + renewed.split("\n\n", 1)[1]), AFTER) == []


def test_encryption_only_usage() -> None:
    certs = CERTS.replace(
        "Serial Number: 1a2b\n  Certificate Usage: General Purpose",
        "Serial Number: 1a2b\n  Certificate Usage: Encryption",
    )
    [issue] = _check(_config(certs), INSIDE)
    assert "Encryption only" in issue.title
    assert issue.remediation == ("crypto ca trustpoint TP-PEER", " ignore-ipsec-keyusage")
    assert "  Certificate Usage: Encryption" in issue.evidence


def test_signature_only_usage_is_enough_to_sign() -> None:
    certs = CERTS.replace(
        "Serial Number: 1a2b\n  Certificate Usage: General Purpose",
        "Serial Number: 1a2b\n  Certificate Usage: Signature",
    )
    assert _check(_config(certs), INSIDE) == []


def test_missing_identity_certificate() -> None:
    ca_only = CERTS.split("\n\n")[0] + "\n"
    [issue] = _check(_config(ca_only), INSIDE)
    assert "no identity certificate" in issue.title
    assert issue.remediation == ("crypto ca enroll TP-PEER",)
    # another trustpoint's certificates do not count
    [other] = _check(_config(CERTS.replace("TP-PEER", "TP-OTHER")), INSIDE)
    assert other.remediation == ("crypto ca authenticate TP-PEER", "crypto ca enroll TP-PEER")


def test_pending_certificate_counts_as_missing() -> None:
    pending = CERTS.replace(
        "\nCertificate\n  Status: Available", "\nCertificate\n  Status: Pending"
    )
    [issue] = _check(_config(pending), INSIDE)
    assert "pending" in issue.title
    assert "  Status: Pending" in issue.evidence


def test_missing_needs_a_complete_output() -> None:
    ca_only = CERTS.split("\n\n")[0] + "\n  Frobnication: 11\n"
    assert _check(_config(ca_only), INSIDE) == []  # partial: no absence claim
    assert _check(_config(None), INSIDE) == []  # not collected


def test_psk_tunnel_is_not_checked() -> None:
    assert _check(_config(tg=TG_PSK), AFTER) == []


def test_ikev2_local_certificate_and_crypto_map_trustpoint() -> None:
    tg = (
        f"tunnel-group {PEER} type ipsec-l2l\n"
        f"tunnel-group {PEER} ipsec-attributes\n"
        " ikev2 remote-authentication certificate\n"
        " ikev2 local-authentication certificate TP-PEER\n"
    )
    [issue] = _check(_config(tg=tg), AFTER)
    assert " ikev2 local-authentication certificate TP-PEER" in issue.evidence
    crypto_map = MAP + "crypto map outside_map 71 set trustpoint TP-PEER chain\n"
    [issue] = _check(_config(tg=TG_PSK, crypto_map=crypto_map), AFTER)
    assert "crypto map outside_map 71 set trustpoint TP-PEER chain" in issue.evidence


def test_reference_time_is_collected_at_else_now() -> None:
    config = _config()
    stamped = replace(config, collected_at="2025-09-01T12:00:00+00:00")
    assert CheckContext(stamped, PEER).reference_time() == datetime(
        2025, 9, 1, 12, tzinfo=timezone.utc
    )
    assert all(i.code != "IKE_CERT_INVALID" for i in run_config_checks(stamped, PEER))
    before = datetime.now(timezone.utc)
    assert CheckContext(config, PEER).reference_time() >= before  # no collected_at: now
    explicit = run_config_checks(stamped, PEER, now=AFTER)
    assert any(i.code == "IKE_CERT_INVALID" for i in explicit)


def test_other_zone_gets_slack() -> None:
    cest = CERTS.replace("10:00:00 UTC Mar 1 2026", "10:00:00 CEST Mar 1 2026")
    just_after = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    assert _check(_config(cest), just_after) == []
    assert _check(_config(), just_after) != []


# ---- collection: only certificate tunnels send `show crypto ca certificates` ---------------


def test_certificates_collected_only_for_certificate_tunnels() -> None:
    cert = Snapshot(
        outputs={"show running-config crypto map": MAP, "show running-config tunnel-group": TG_CERT}
    )
    psk = Snapshot(
        outputs={"show running-config crypto map": MAP, "show running-config tunnel-group": TG_PSK}
    )
    assert uses_certificates(cert, PEER) and uses_certificates(cert)
    assert not uses_certificates(psk, PEER) and not uses_certificates(psk)
    assert not uses_certificates(cert, "192.0.2.99")
    assert peer_certificate_round(PEER, cert) == ("show crypto ca certificates",)
    assert peer_certificate_round(PEER, psk) == ()
    assert "show crypto ca certificates" not in peer_second_round(PEER, psk)
    # a crypto map trustpoint is known after round 1: round 2 collects it, round 3 adds nothing
    mapped = Snapshot(
        outputs={
            "show running-config crypto map": MAP + "crypto map outside_map 71 set trustpoint TP\n"
        }
    )
    second = peer_second_round(PEER, mapped)
    assert second[-1] == "show crypto ca certificates"
    merged = Snapshot(outputs={**mapped.outputs, **{c: "" for c in second}})
    assert peer_certificate_round(PEER, merged) == ()


def test_box_wide_ignores_remote_access_trustpoints() -> None:
    ra = (
        "tunnel-group RA-VPN type remote-access\n"
        "tunnel-group RA-VPN ipsec-attributes\n"
        " ikev1 trust-point TP-ANYCONNECT\n"
    )
    box = Snapshot(
        outputs={"show running-config crypto map": MAP, "show running-config tunnel-group": ra}
    )
    assert not uses_certificates(box)

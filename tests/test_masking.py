"""Secrets must never reach a snapshot, a log or a report."""

from __future__ import annotations

import pytest

from vpn_doctor.masking import MASK, mask_secrets


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        (" ikev1 pre-shared-key Sup3rS3cret!", " ikev1 pre-shared-key *****"),
        (" pre-shared-key Sup3rS3cret", " pre-shared-key *****"),
        (
            " ikev2 local-authentication pre-shared-key L0cal",
            " ikev2 local-authentication pre-shared-key *****",
        ),
        (
            " ikev2 remote-authentication pre-shared-key R3mote",
            " ikev2 remote-authentication pre-shared-key *****",
        ),
        ("isakmp key s3cr3t address 203.0.113.9", "isakmp key ***** address 203.0.113.9"),
        (
            "crypto isakmp key 0 s3cr3t address 203.0.113.9",
            "crypto isakmp key 0 ***** address 203.0.113.9",
        ),
        ("enable password 8Ry2YjIyt7RRXU24 encrypted", "enable password ***** encrypted"),
        ("enable secret 5 $1$abc$def", "enable secret 5 *****"),
        ("passwd 2KFQnbNIdI.2KYOU encrypted", "passwd ***** encrypted"),
        (
            "username admin password NuLKvvWGg.x9HEKO encrypted privilege 15",
            "username admin password ***** encrypted privilege 15",
        ),
        (
            "username bob password cleartext privilege 15",
            "username bob password ***** privilege 15",
        ),
        ("username carol secret 9 $9$xyz", "username carol secret 9 *****"),
        (" key TacacsKey123", " key *****"),
        ("ntp authentication-key 1 md5 NtpK3y", "ntp authentication-key 1 md5 *****"),
        ("snmp-server community publ1c", "snmp-server community *****"),
        (
            "snmp-server host inside 10.1.1.5 community s3cret version 2c",
            "snmp-server host inside 10.1.1.5 community ***** version 2c",
        ),
        (" ldap-login-password LdapPw", " ldap-login-password *****"),
        ("failover key hex 0123abcd", "failover key hex *****"),
        ("failover key FoKey", "failover key *****"),
        (" key-string 7 0822455D0A16", " key-string 7 *****"),
        (" password TrustpointPw", " password *****"),
        (" ospf authentication-key OspfPw", " ospf authentication-key *****"),
        (
            " ospf message-digest-key 1 md5 OspfMd5",
            " ospf message-digest-key 1 md5 *****",
        ),
        (" neighbor 10.0.0.2 password BgpPw", " neighbor 10.0.0.2 password *****"),
        (" pre-shared-key 7", " pre-shared-key *****"),  # a key that looks like a type digit
    ],
)
def test_secret_is_masked(line: str, masked: str) -> None:
    assert mask_secrets(line) == masked


@pytest.mark.parametrize(
    "line",
    [
        " ikev1 pre-shared-key *****",
        "username admin password ***** encrypted privilege 15",
        "  Key Usage: General Purpose",  # show crypto ca certificates
        "IKEv1 SAs:",
        "   Active SA: 1",
        "1   IKE Peer: 203.0.113.9",
        " neighbor 10.0.0.2 send-community both",
        "Invalid password",
        "Password:",
        "  Auth Mode    : preSharedKeys",
        "    #pkts encaps: 10, #pkts encrypt: 10, #pkts digest: 10",
        " password-management",
    ],
)
def test_harmless_text_is_untouched(line: str) -> None:
    assert mask_secrets(line) == line


def test_multiline_config_keeps_its_shape() -> None:
    config = (
        "tunnel-group 203.0.113.9 type ipsec-l2l\n"
        "tunnel-group 203.0.113.9 ipsec-attributes\n"
        " ikev1 pre-shared-key Sup3rS3cret\n"
        " ikev2 remote-authentication pre-shared-key R3mote\n"
        " ikev2 local-authentication pre-shared-key L0cal\n"
        "aaa-server TACACS (inside) host 10.1.1.9\n"
        " key TacacsKey123\n"
    )
    masked = mask_secrets(config)
    assert masked.count("\n") == config.count("\n")
    for secret in ("Sup3rS3cret", "R3mote", "L0cal", "TacacsKey123"):
        assert secret not in masked
    assert masked.count(MASK) == 4
    assert mask_secrets(masked) == masked  # idempotent


def test_line_filter_masks_exactly_like_every_rule_over_the_whole_text() -> None:
    """The fast path (only lines with a hint word) gives what the full-text passes give."""
    from pathlib import Path

    from vpn_doctor import masking

    def reference(text: str) -> str:
        for rule in masking._RULES:
            text = rule.sub(masking._replace, text)
        return text

    data = Path(__file__).parent / "data"
    texts = [p.read_text(encoding="utf-8") for p in sorted(data.rglob("*.txt"))]
    assert len(texts) > 20
    for text in texts:
        assert mask_secrets(text) == reference(text)

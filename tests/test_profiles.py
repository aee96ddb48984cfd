"""Peer profiles: the shipped files load, equal the built-ins, and bad files fail loudly with
the file and the key named (a typo must never silently switch a check off)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from vpn_doctor.diagnose.profiles import (
    PeerProfile,
    ProfileError,
    available_profiles,
    load_profile,
    normalise_encryption,
    normalise_group,
    normalise_hash,
    profile_deviations,
    shipped_profile,
)
from vpn_doctor.diagnose.tunnel_context import TunnelContext
from vpn_doctor.errors import ExitCode, InputError
from vpn_doctor.models import IkeSa

USER_PROFILE = Path(__file__).parent / "data" / "config_checks" / "profile_partner.yaml"


def test_aws_profile_values() -> None:
    aws = load_profile("aws")
    assert (aws.phase1.encryption, aws.phase1.hash, aws.phase1.dh_group) == (
        ("aes128",),
        ("sha1",),
        ("2",),
    )
    assert (aws.phase1.lifetime, aws.phase2.lifetime_seconds) == (28800, 3600)
    assert (aws.phase2.encryption, aws.phase2.integrity, aws.phase2.pfs_group) == (
        ("aes128",),
        ("sha1",),
        ("2",),
    )
    assert aws.ports == ("udp/500", "udp/4500", "esp")
    assert aws.tunnels_per_connection == 2
    assert aws.far_side_initiates is False
    assert aws.single_sa and aws.mode == "main" and aws.nat_t
    assert aws.phase2.wants_pfs is True
    assert str(aws.source).endswith("aws.yaml")


def test_aws_accepted_lists() -> None:
    """What AWS's tunnel options accept by default (KNOWLEDGE.md section 8, S26)."""
    aws = load_profile("aws")
    strong = ("aes128", "aes256", "aes-gcm128", "aes-gcm256")
    integrity = ("sha1", "sha256", "sha384", "sha512")
    high = tuple(str(g) for g in range(14, 25))
    assert aws.phase1.accepted("encryption") == aws.phase2.accepted("encryption") == strong
    assert aws.phase1.accepted("hash") == aws.phase2.accepted("integrity") == integrity
    assert aws.phase1.accepted("dh_group") == ("2", *high)
    assert aws.phase2.accepted("pfs_group") == ("2", "5", *high)
    assert "3des" not in aws.phase1.accepted("encryption")
    assert "md5" not in aws.phase1.accepted("hash")


def test_accepted_defaults_to_expected(tmp_path: Path) -> None:
    """A profile without `accepted` accepts exactly what it expects (the old meaning)."""
    path = tmp_path / "old.yaml"
    path.write_text(
        "name: old\nphase1: {encryption: [aes], hash: [sha], dh_group: [5]}\n"
        "phase2: {encryption: [esp-aes-256], integrity: [esp-sha-hmac], pfs_group: [none]}\n",
        encoding="utf-8",
    )
    old = load_profile(path)
    assert old.phase1.accepted_encryption == old.phase2.accepted_pfs_group == ()
    for key in ("encryption", "hash", "dh_group"):
        assert old.phase1.accepted(key) == getattr(old.phase1, key)
    for key in ("encryption", "integrity", "pfs_group"):
        assert old.phase2.accepted(key) == getattr(old.phase2, key)
    assert old.phase2.wants_pfs is False


def test_accepted_may_mix_none_and_groups(tmp_path: Path) -> None:
    path = tmp_path / "either.yaml"
    path.write_text(
        "name: either\nphase2:\n  pfs_group: [none]\n  accepted: {pfs_group: [none, group14]}\n",
        encoding="utf-8",
    )
    either = load_profile(path)
    assert either.phase2.accepted("pfs_group") == ("none", "14")
    assert either.phase2.wants_pfs is False


def test_shipped_aws_profile_is_the_yaml_file_read_once() -> None:
    aws = shipped_profile("aws")
    assert aws is shipped_profile("AWS".lower())
    assert aws == load_profile("aws")
    assert str(aws.source).endswith("aws.yaml")
    assert (aws.phase1.encryption, aws.phase1.hash, aws.phase1.dh_group) == (
        ("aes128",),
        ("sha1",),
        ("2",),
    )
    assert aws.ike_lifetime == 28800
    assert aws.ipsec_lifetime == 3600
    assert "aes256" in aws.phase1.accepted("encryption")


def test_flat_attributes_for_the_engine() -> None:
    aws = load_profile("AWS")
    assert (aws.encryption, aws.hash, aws.dh_group, aws.pfs_group) == (
        ("aes128",),
        ("sha1",),
        ("2",),
        ("2",),
    )
    assert (aws.ike_lifetime, aws.ipsec_lifetime) == (28800, 3600)


def test_every_shipped_profile_loads() -> None:
    names = available_profiles()
    assert "aws" in names
    for name in names:
        assert load_profile(name).name


def test_every_shipped_profile_accepts_what_it_expects() -> None:
    """profiles/README.md: each accepted list holds every expected value (else the profile
    contradicts itself: the peer would expect what it refuses)."""
    assert {"aws", "azure", "gcp", "gcp-ikev1"} <= set(available_profiles())
    for name in available_profiles():
        profile = load_profile(name)
        for phase, keys in (
            (profile.phase1, ("encryption", "hash", "dh_group")),
            (profile.phase2, ("encryption", "integrity", "pfs_group")),
        ):
            for key in keys:
                expected = set(getattr(phase, key))
                assert expected <= set(phase.accepted(key)), (name, key)


def test_gcp_profile_values() -> None:
    """Google's supported IKE ciphers tables for IKEv2 (profiles/gcp.yaml, [G1])."""
    gcp = load_profile("gcp")
    assert gcp.ike_versions == (2,) and gcp.mode == ""
    assert (gcp.ike_lifetime, gcp.ipsec_lifetime) == (36000, 10800)
    assert (gcp.phase1.encryption, gcp.phase1.hash, gcp.phase1.dh_group) == (
        ("aes128", "aes-gcm128"),
        ("sha256", "sha1"),
        ("14", "31"),
    )
    groups = ("14", "24", "5", "15", "16", "18", "2", "19", "20", "21", "31")
    assert gcp.phase1.accepted("encryption") == (
        "aes-gcm128", "aes-gcm192", "aes-gcm256", "aes128", "aes192", "aes256", "3des",
    )  # fmt: skip
    assert gcp.phase1.accepted("hash") == ("sha1", "md5", "sha256", "sha384", "sha512")
    assert gcp.phase1.accepted("dh_group") == gcp.phase2.accepted("pfs_group") == groups
    assert gcp.phase2.accepted("encryption") == (
        "aes-gcm128", "aes-gcm256", "aes-gcm192", "aes128", "aes256", "aes192",
    )  # fmt: skip
    assert gcp.phase2.accepted("integrity") == ("sha256", "sha512", "sha1")
    assert gcp.phase2.wants_pfs is True and "none" not in gcp.phase2.accepted("pfs_group")
    assert "22" not in groups and "1" not in groups  # group 22 dropped ([G2]); 1 never listed
    assert gcp.nat_t and gcp.ports == ("udp/500", "udp/4500", "esp")
    assert gcp.far_side_initiates is True and gcp.tunnels_per_connection is None
    assert not gcp.single_sa


def test_gcp_ikev1_profile_is_one_value_per_role() -> None:
    ikev1 = load_profile("gcp-ikev1")
    assert ikev1.ike_versions == (1,)
    assert (ikev1.ike_lifetime, ikev1.ipsec_lifetime) == (36600, 10800)
    for phase, keys in (
        (ikev1.phase1, ("encryption", "hash", "dh_group")),
        (ikev1.phase2, ("encryption", "integrity", "pfs_group")),
    ):
        assert [phase.accepted(k) for k in keys] == [(v,) for v in ("aes128", "sha1", "2")]


def test_azure_profile_values() -> None:
    """VPN Gateway's own default parameters (profiles/azure.yaml, [A4]), not Virtual WAN's."""
    azure = load_profile("azure")
    assert (azure.ike_lifetime, azure.ipsec_lifetime) == (28800, 27000)
    assert azure.phase1.accepted("encryption") == ("aes256", "aes128", "3des")
    assert azure.phase1.accepted("dh_group") == ("2",)
    assert azure.phase2.encryption[0] == "aes256"  # an IKEv1 transform set cannot use GCM
    assert set(azure.phase2.accepted("encryption")) == {
        "aes-gcm256", "aes256", "3des", "aes128", "des",
    }  # fmt: skip
    assert azure.phase2.accepted("pfs_group") == ("none", "1", "2", "14", "24")
    assert azure.phase2.wants_pfs is False


def test_user_profile_by_path() -> None:
    partner = load_profile(USER_PROFILE)
    assert partner.name == "partner" and partner.ike_versions == (2,)
    assert partner.phase2.wants_pfs is False
    assert partner.phase1.encryption == ("aes256",)
    assert partner.phase1.hash == ("sha256",)
    assert partner.tunnels_per_connection is None and not partner.single_sa
    assert load_profile(str(USER_PROFILE)) == partner


def test_from_mapping_accepts_the_flat_engine_shape() -> None:
    flat = PeerProfile.from_mapping(
        {"name": "x", "encryption": "AES-256", "hash": ["SHA"], "dh_group": 14,
         "ike_lifetime": 28800, "ipsec_lifetime": 3600, "pfs_group": "group14"}
    )  # fmt: skip
    assert (flat.encryption, flat.hash, flat.dh_group, flat.pfs_group) == (
        ("aes256",),
        ("sha1",),
        ("14",),
        ("14",),
    )
    assert (flat.ike_lifetime, flat.ipsec_lifetime) == (28800, 3600)


BAD = [
    ("name: x\nphase1:\n  encrytpion: [aes]\n", "phase1.encrytpion", "unknown key"),
    ("name: x\ncolour: red\n", "colour", "unknown key"),
    ("description: no name\n", "name", "required"),
    ("name: x\nphase2:\n  lifetime_seconds: soon\n", "phase2.lifetime_seconds", "whole number"),
    ("name: x\nphase2:\n  lifetime_seconds: true\n", "phase2.lifetime_seconds", "whole number"),
    ("name: x\nsingle_sa: yes please\n", "single_sa", "true or false"),
    ("name: x\nmode: quick\n", "mode", "expected one of"),
    ("name: x\nike_versions: [3]\n", "ike_versions", "1 and/or 2"),
    ("name: x\nports: [udp/500, gre]\n", "ports", "udp/N"),
    ("name: x\nphase1:\n  dh_group: [two]\n", "phase1.dh_group", "not a DH group"),
    ("name: x\nphase2:\n  pfs_group: [none, 2]\n", "phase2.pfs_group", "cannot be combined"),
    ("name: x\nphase1: [aes]\n", "phase1", "expected a mapping"),
    ("name: x\nphase1:\n  encryption: [{aes: 1}]\n", "phase1.encryption", "list of values"),
    ("name: x\nphase1:\n  encryption: [aes-258]\n", "phase1.encryption", "unknown encryption"),
    ("name: x\nphase2:\n  integrity: [sha265x]\n", "phase2.integrity", "unknown hash"),
    ("name: x\nphase1:\n  accepted: [aes]\n", "phase1.accepted", "expected a mapping"),
    ("name: x\nphase1:\n  accepted: {encrytpion: [aes]}\n", "phase1.accepted.encrytpion",
     "unknown key"),
    ("name: x\nphase1:\n  accepted: {lifetime: 900}\n", "phase1.accepted.lifetime",
     "unknown key"),
    ("name: x\nphase1:\n  accepted: {encryption: [aes128, camellia]}\n",
     "phase1.accepted.encryption", "unknown encryption"),
    ("name: x\nphase1:\n  accepted: {hash: [sha1, sha2-265]}\n", "phase1.accepted.hash",
     "unknown hash"),
    ("name: x\nphase1:\n  accepted: {dh_group: [2, fourteen]}\n", "phase1.accepted.dh_group",
     "not a DH group"),
    ("name: x\nphase1:\n  accepted: {dh_group: [none]}\n", "phase1.accepted.dh_group",
     "not a DH group"),
    ("name: x\nphase2:\n  accepted: {pfs_group: [2, [5]]}\n", "phase2.accepted.pfs_group",
     "list of values"),
    ("name: x\nphase2:\n  accepted: {integrity: [true]}\n", "phase2.accepted.integrity",
     "list of values"),
    ("name: x\nphase1:\n  dh_group: [2]\n  accepted: {dh_group: [14, 19]}\n",
     "phase1.accepted.dh_group", "does not include the expected 2 (from 'phase1.dh_group')"),
    ("name: x\nphase2:\n  encryption: [aes]\n  accepted: {encryption: [aes-256]}\n",
     "phase2.accepted.encryption", "does not include the expected aes128"),
    ("name: x\nphase2:\n  pfs_group: [none]\n  accepted: {pfs_group: [2]}\n",
     "phase2.accepted.pfs_group", "does not include the expected none"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "key", "why"), BAD, ids=[b[1] + "-" + b[2] for b in BAD])
def test_invalid_profile_names_file_and_key(tmp_path: Path, text: str, key: str, why: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    message = str(err.value)
    assert str(path) in message and f"'{key}'" in message and why in message


def test_broken_yaml_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nphase1: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"broken\.yaml.*invalid YAML"):
        load_profile(path)
    path.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="must be a mapping"):
        load_profile(path)
    with pytest.raises(ProfileError, match=r"no such profile.*known profiles: .*aws"):
        load_profile("no-such-peer")
    with pytest.raises(ProfileError, match=r"nope\.yaml: no such profile file$"):
        load_profile(tmp_path / "nope.yaml")


def test_profile_error_is_bad_input() -> None:
    assert issubclass(ProfileError, InputError)
    assert ProfileError("x").exit_code == ExitCode.BAD_INPUT


@pytest.mark.parametrize(
    ("value", "expected"),
    [("aes", "aes128"), ("esp-aes-256", "aes256"), ("aes-gcm-256", "aes-gcm256"),
     ("esp-3des", "3des"), ("des", "des"), ("esp-null", "null")],
)  # fmt: skip
def test_normalise_encryption(value: str, expected: str) -> None:
    assert normalise_encryption(value) == expected


def test_normalise_hash_and_group() -> None:
    assert {normalise_hash(v) for v in ("sha", "sha-1", "esp-sha-hmac", "SHA1")} == {"sha1"}
    assert normalise_hash("esp-sha512-hmac") == "sha512"
    assert normalise_hash("esp-md5-hmac") == "md5"
    assert normalise_group(2) == normalise_group("group2") == normalise_group("Group 2") == "2"
    assert normalise_group("none") == "none"


def test_profile_deviations_expected_or_accepted() -> None:
    """The engine's comparison of negotiated SAs: by default against the expected values (as
    before); with accepted_ok only outside the accepted lists. Lifetimes count either way."""
    lines = ("Encryption : AES-256", "Hash : SHA256", "Lifetime: 86400")
    strong = IkeSa(peer="52.28.10.1", ike_version=1, state="MM_ACTIVE", encryption="aes-256",
                   hash="sha256", dh_group="14", lifetime=28800, lines=lines)  # fmt: skip
    ctx = TunnelContext(peer="52.28.10.1", ike_sas=(strong,))
    aws = load_profile("aws")
    assert [p for p, _ in profile_deviations(ctx, aws)] == ["Encryption", "Hash", "DH group"]
    assert profile_deviations(ctx, aws, accepted_ok=True) == []
    weak = replace(strong, encryption="3des", lifetime=86400)
    found = [p for p, _ in profile_deviations(TunnelContext(peer="52.28.10.1", ike_sas=(weak,)),
                                              aws, accepted_ok=True)]  # fmt: skip
    assert found == ["Encryption", "Lifetime"]

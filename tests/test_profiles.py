"""Peer profiles: the shipped files load, equal the built-ins, and bad files fail loudly with
the file and the key named (a typo must never silently switch a check off)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from vpn_doctor.errors import ExitCode, InputError
from vpn_doctor.paths import profiles_dir
from vpn_doctor.profiles import (
    AWS_PROFILE,
    BUILTIN_PROFILES,
    PeerProfile,
    ProfileError,
    available_profiles,
    load_profile,
    normalise_encryption,
    normalise_group,
    normalise_hash,
)

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
    assert aws.source.endswith("aws.yaml")


def test_shipped_file_equals_builtin() -> None:
    assert replace(load_profile("aws"), source="built-in") == AWS_PROFILE
    assert BUILTIN_PROFILES["aws"] is AWS_PROFILE


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
]


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


def test_builtin_used_when_directory_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VPN_DOCTOR_HOME", str(tmp_path))
    assert not profiles_dir().exists()
    assert load_profile("aws") is AWS_PROFILE
    assert available_profiles() == ()


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

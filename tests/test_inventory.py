"""Inventory loading: Nornir inheritance, expectations, and errors that name file, line, host."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from vpn_doctor.collect.credentials import CredentialSources
from vpn_doctor.errors import InputError, InventoryError
from vpn_doctor.fleet.inventory import (
    InventoryHost,
    load_inventory,
    resolve_secrets,
)

DATA = Path(__file__).parent / "data" / "inventory"


def _full() -> dict[str, InventoryHost]:
    inventory = load_inventory(
        DATA / "hosts.yaml", groups_file=DATA / "groups.yaml", defaults_file=DATA / "defaults.yaml"
    )
    return {host.name: host for host in inventory.hosts}


def test_inheritance_host_then_groups_then_defaults() -> None:
    hosts = _full()
    dc1 = hosts["fw-dc1"]
    assert dc1.hostname == "192.0.2.1"
    assert dc1.port == 8022  # from group dc
    assert dc1.username == "netops"  # from group base (nested under asa)
    assert dc1.groups == ("asa", "base", "dc")
    assert dc1.credentials.password_env == "FW_DC1_PW"  # host data wins over base's file
    assert dc1.credentials.secret_env == "DC_ENABLE"
    branch = hosts["fw-branch"]
    assert branch.hostname == "fw-branch"  # Nornir: the name when hostname is absent
    assert (branch.port, branch.username) == (2222, "branchops")
    assert branch.credentials.password_file == DATA / "secrets" / "asa-password"
    assert branch.tunnels is None  # no expectations: every tunnel found is checked


def test_expected_tunnels_parsed() -> None:
    tunnels = _full()["fw-dc1"].tunnels
    assert tunnels is not None and len(tunnels) == 3
    first = tunnels[0]
    assert (first.peer, first.name, first.label) == ("203.0.113.9", "branch-9", "branch-9")
    assert first.proxies[1] == (
        ipaddress.ip_network("10.10.1.0/24"),
        ipaddress.ip_network("0.0.0.0/0"),
    )
    assert tunnels[1].profile == "aws" and tunnels[1].redundancy_group == "aws-vpc1"


def test_other_platforms_and_disabled_hosts_are_skipped() -> None:
    inventory = load_inventory(DATA / "hosts.yaml", groups_file=DATA / "groups.yaml")
    assert set(inventory.skipped) == {"core-rtr", "fw-lab"}
    assert [h.name for h in inventory.hosts] == ["fw-dc1", "fw-branch"]


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("bad_password.yaml", ["bad_password.yaml:3:", "host fw1", "refused", "password_env"]),
        ("bad_proxy.yaml", ["bad_proxy.yaml:9:", "host fw1", "10.10.0.1/24", "host bits"]),
        ("bad_group.yaml", ["bad_group.yaml:3:", "'nowhere' is not defined", "--groups"]),
        ("bad_redundancy.yaml", ["bad_redundancy.yaml:", "'lonely' has only one tunnel"]),
        ("bad_key.yaml", ["bad_key.yaml:7:", "unknown tunnel key", "prxies"]),
    ],
)
def test_errors_name_file_line_and_host(name: str, words: list[str]) -> None:
    with pytest.raises(InventoryError) as info:
        load_inventory(DATA / name)
    message = str(info.value)
    for word in words:
        assert word in message, message
    assert info.value.exit_code == 17


def test_yaml_errors_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="not found"):
        load_inventory(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("fw1:\n  hostname: [unclosed\n", encoding="utf-8")
    with pytest.raises(InventoryError, match=r"broken.yaml:\d+: not valid YAML"):
        load_inventory(broken)
    dup = tmp_path / "dup.yaml"
    dup.write_text("fw1: {username: a}\nfw1: {username: b}\n", encoding="utf-8")
    with pytest.raises(InventoryError, match=r"dup.yaml:2: duplicate key 'fw1'"):
        load_inventory(dup)
    no_user = tmp_path / "nouser.yaml"
    no_user.write_text("fw1: {hostname: 192.0.2.1}\n", encoding="utf-8")
    with pytest.raises(InventoryError, match="no username"):
        load_inventory(no_user)
    assert load_inventory(no_user, default_username="ops").hosts[0].username == "ops"


def test_secrets_refused_in_groups_and_defaults(tmp_path: Path) -> None:
    hosts = tmp_path / "hosts.yaml"
    hosts.write_text("fw1: {groups: [g]}\n", encoding="utf-8")
    groups = tmp_path / "groups.yaml"
    groups.write_text("g:\n  username: u\n  data:\n    secret: enable123\n", encoding="utf-8")
    with pytest.raises(InventoryError, match=r"groups.yaml:4: .*'secret' in an inventory"):
        load_inventory(hosts, groups_file=groups)
    defaults = tmp_path / "defaults.yaml"
    defaults.write_text("username: u\npassword: x\n", encoding="utf-8")
    with pytest.raises(InventoryError, match=r"defaults.yaml:2: .*refused"):
        load_inventory(hosts, defaults_file=defaults)


def test_resolve_secrets_order(tmp_path: Path) -> None:
    pw_file = tmp_path / "pw"
    pw_file.write_text("from-file\n", encoding="utf-8")
    host = InventoryHost(
        name="fw1",
        hostname="192.0.2.1",
        port=22,
        username="u",
        platform="cisco_asa",
        credentials=CredentialSources(password_file=pw_file, secret_env="EN"),
    )
    env = {"EN": "enable", "FALLBACK": "fb", "VPN_DOCTOR_PASSWORD": "global"}
    assert resolve_secrets(host, CredentialSources(password_env="FALLBACK"), env) == (
        "from-file",
        "enable",
    )
    bare = InventoryHost(name="fw2", hostname="h", port=22, username="u", platform="cisco_asa")
    assert resolve_secrets(bare, CredentialSources(password_env="FALLBACK"), env) == ("fb", None)
    assert resolve_secrets(bare, CredentialSources(), env) == ("global", None)
    with pytest.raises(InputError, match="no password"):
        resolve_secrets(bare, CredentialSources(), {})
    with pytest.raises(InputError, match="MISSING is not set"):
        resolve_secrets(bare, CredentialSources(password_env="MISSING"), {})


def test_shipped_example_inventory_loads() -> None:
    example = Path(__file__).parents[1] / "examples" / "inventory.yaml"
    inventory = load_inventory(example)
    assert [h.name for h in inventory.hosts] == ["mock-healthy", "mock-broken", "fw-dc1"]
    assert set(inventory.skipped) == {"fw-lab", "core-router"}
    dc1 = inventory.hosts[2]
    assert dc1.tunnels is not None and dc1.tunnels[0].redundancy_group == "aws-vpc1"

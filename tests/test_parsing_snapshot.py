"""parse_snapshot / parse_version, the template index, and a 5,000-tunnel parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from vpn_doctor.asa.commands import SHOW_IPSEC_SA, SHOW_ISAKMP_SA, SHOW_SESSIONDB_L2L, SHOW_VERSION
from vpn_doctor.models import DeviceInfo, ParseStatus, Snapshot
from vpn_doctor.parse.device import (
    parse_ipsec_sa,
    parse_snapshot,
    parse_version,
    template_for_command,
)
from vpn_doctor.resources import templates_dir

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]


def _raw(directory: str, case: str) -> str:
    return (DATA / directory / f"{case}.raw").read_text(encoding="utf-8")


def test_missing_commands_are_missing_not_empty() -> None:
    state = parse_snapshot(Snapshot(outputs={}))
    for result in (state.ike_sas, state.ipsec_sas, state.sessions):
        assert result.status is ParseStatus.MISSING
        assert not result.usable
        assert "not collected" in result.warnings[0]
    assert state.device == DeviceInfo()


@pytest.mark.parametrize(
    "error",
    [
        "ERROR: % Invalid input detected at '^' marker.",
        "show crypto ipsec sa\n    ^\n% Invalid input detected at '^' marker.",
        "Command authorization failed",
    ],
)
def test_device_errors_are_failed_with_the_message(error: str) -> None:
    outputs = {SHOW_ISAKMP_SA: error, SHOW_IPSEC_SA: error, SHOW_SESSIONDB_L2L: error}
    state = parse_snapshot(Snapshot(outputs=outputs))
    for result in (state.ike_sas, state.ipsec_sas, state.sessions):
        assert result.status is ParseStatus.FAILED
        assert any(error.splitlines()[-1] in warning for warning in result.warnings)


def test_full_snapshot() -> None:
    outputs = {
        SHOW_VERSION: _raw("show_version", "asa5516_9x"),
        SHOW_ISAKMP_SA: _raw("show_crypto_isakmp_sa", "mixed_ikev1_ikev2_9x"),
        SHOW_IPSEC_SA: _raw("show_crypto_ipsec_sa", "l2l_9x_one_way_ikev2_pfs14"),
        SHOW_SESSIONDB_L2L: _raw("show_vpn-sessiondb_detail_l2l", "aws_ikev2_two_sa_pairs_9x"),
    }
    state = parse_snapshot(Snapshot(outputs=outputs, debug_lines=("a", "b")))
    assert state.device == DeviceInfo(hostname="fw-edge-01", version="9.12(4)56", model="ASA5516")
    assert state.ike_sas.status is ParseStatus.OK and len(state.ike_sas.records) == 4
    assert state.ipsec_sas.status is ParseStatus.OK and len(state.ipsec_sas.records) == 2
    assert state.sessions.status is ParseStatus.OK and len(state.sessions.records) == 1
    assert state.debug_lines == ("a", "b")
    assert state.raw == outputs


def test_snapshot_hostname_wins_over_show_version() -> None:
    snapshot = Snapshot(
        outputs={SHOW_VERSION: _raw("show_version", "asa5516_9x")},
        device=DeviceInfo(hostname="fw1-from-meta"),
    )
    device = parse_snapshot(snapshot).device
    assert device.hostname == "fw1-from-meta"
    assert device.version == "9.12(4)56"  # still filled from show version


def test_ikev1_and_ikev2_outputs_stand_in_for_isakmp_sa() -> None:
    v1 = _raw("show_crypto_isakmp_sa", "ipv6_peers_ikev1").replace("There are no IKEv2 SAs", "")
    v2 = _raw("show_crypto_isakmp_sa", "real_genie_ikev2_ipv6_ready")
    both = parse_snapshot(
        Snapshot(outputs={"show crypto ikev1 sa": v1, "show crypto ikev2 sa": v2})
    ).ike_sas
    assert both.status is ParseStatus.OK
    assert [r.ike_version for r in both.records] == [1, 1, 2]
    only_v1 = parse_snapshot(Snapshot(outputs={"show crypto ikev1 sa": v1})).ike_sas
    assert only_v1.status is ParseStatus.PARTIAL  # IKEv2 SAs unknown, so not "complete"
    assert len(only_v1.records) == 2


def test_parse_version_never_raises() -> None:
    assert parse_version("") == DeviceInfo()
    assert parse_version("\x00garbage\n% Invalid input") == DeviceInfo()
    info = parse_version(_raw("show_version", "pix_asa_8x"))
    assert info == DeviceInfo(hostname="ciscoasa", version="8.2(5)", model="ASA5505")


@pytest.mark.parametrize(
    ("command", "template"),
    [
        ("sh cry isa sa", "cisco_asa_show_crypto_isakmp_sa.textfsm"),
        ("show crypto isakmp sa detail", "cisco_asa_show_crypto_isakmp_sa.textfsm"),
        ("sh crypto ikev2 sa", "cisco_asa_show_crypto_isakmp_sa.textfsm"),
        ("show crypto ikev1 sa", "cisco_asa_show_crypto_isakmp_sa.textfsm"),
        ("sh cry ipsec sa", "cisco_asa_show_crypto_ipsec_sa.textfsm"),
        ("show crypto ipsec sa peer 203.0.113.9", "cisco_asa_show_crypto_ipsec_sa.textfsm"),
        ("sh vpn-sessiondb det l2l", "cisco_asa_show_vpn-sessiondb_detail_l2l.textfsm"),
        ("show vpn-sessiondb detail l2l", "cisco_asa_show_vpn-sessiondb_detail_l2l.textfsm"),
        ("show crypto ipsec sa summary", None),
        ("show running-config", None),
    ],
)
def test_index_maps_abbreviations(command: str, template: str | None) -> None:
    assert template_for_command(command) == template


def test_index_is_valid_for_textfsm_clitable() -> None:
    """Our index must also work where ntc-templates' does (textfsm.clitable)."""
    from textfsm import clitable

    table = clitable.CliTable("index", str(templates_dir()))
    row = table.index.GetRowMatch({"Command": "sh cry isa sa", "Platform": "cisco_asa"})
    assert table.index.index[row]["Template"] == "cisco_asa_show_crypto_isakmp_sa.textfsm"
    for entry in table.index.index:
        assert (templates_dir() / entry["Template"]).is_file()


def test_five_thousand_tunnels_parse_completely() -> None:
    """A 5,000-tunnel `show crypto ipsec sa` parses to 5,000 complete records.

    How fast is measured by bench/bench_parse.py (against ntc-templates in the same run), not
    here: a timed assertion on a shared CI machine measures the machine.
    """
    from mock_device import render

    specs = render.parse_tunnel_specs(render.generate_specs(5000))
    result = parse_ipsec_sa(render.render_ipsec_sa(specs))
    assert result.status is ParseStatus.OK, result.warnings[:3]
    assert len(result.records) == 5000
    assert len({sa.peer for sa in result.records}) > 1
    assert all(sa.complete for sa in result.records)


def test_per_peer_outputs_are_parsed_when_box_wide_ones_are_absent() -> None:
    """`collect --peer X` stores the filtered variants; they must not read as 'not collected'."""
    from vpn_doctor.asa.commands import peer_filtered_commands
    from vpn_doctor.models import ParseStatus, Snapshot
    from vpn_doctor.parse.device import parse_snapshot

    peer = "203.0.113.9"
    variants = peer_filtered_commands(peer)
    snapshot = Snapshot(
        outputs={
            variants["show crypto ipsec sa"]: "There are no ipsec sas\n",
            variants["show vpn-sessiondb detail l2l"]: (
                "INFO: There are presently no active sessions of the type specified\n"
            ),
        },
        peer=peer,
    )
    state = parse_snapshot(snapshot)
    assert state.ipsec_sas.command == variants["show crypto ipsec sa"]
    assert state.ipsec_sas.status is ParseStatus.EMPTY
    assert state.sessions.command == variants["show vpn-sessiondb detail l2l"]
    assert state.sessions.status is ParseStatus.EMPTY

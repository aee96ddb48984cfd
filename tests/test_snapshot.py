"""Snapshot directory (Contract 1): exact layout, round trip, masking, forgiving loads."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vpn_doctor.collect.snapshot import check_save_target, load_snapshot, save_snapshot
from vpn_doctor.errors import ExitCode, SnapshotError
from vpn_doctor.models import DeviceInfo, Snapshot

SNAPSHOT = Snapshot(
    outputs={
        "show version": "Cisco Adaptive Security Appliance Software Version 9.12(4)\n",
        "show crypto isakmp sa": "There are no IKEv1 SAs\n\nThere are no IKEv2 SAs",
        "show crypto ipsec sa peer 203.0.113.9": "There are no ipsec sas",
        "show running-config tunnel-group": (
            "tunnel-group 203.0.113.9 ipsec-attributes\n ikev1 pre-shared-key Sup3rS3cret\n"
        ),
    },
    debug_lines=(
        "Mar 01 10:20:03 [IKEv1]IP = 203.0.113.9, processing SA payload",
        "%ASA-3-713048: Error processing payload",
    ),
    device=DeviceInfo(hostname="fw1", version="9.12(4)", model="ASA5516"),
    peer="203.0.113.9",
    collected_at="2024-03-01T10:15:02+00:00",
    source="live:192.0.2.1",
)


def test_layout_is_contract_1(tmp_path: Path) -> None:
    target = save_snapshot(SNAPSHOT, tmp_path / "snap")
    names = sorted(p.name for p in target.iterdir())
    assert names == [
        "debug.log",
        "meta.yaml",
        "show_crypto_ipsec_sa_peer_203.0.113.9.txt",
        "show_crypto_isakmp_sa.txt",
        "show_running-config_tunnel-group.txt",
        "show_version.txt",
    ]
    meta = yaml.safe_load((target / "meta.yaml").read_text())
    assert meta == {
        "hostname": "fw1",
        "version": "9.12(4)",
        "model": "ASA5516",
        "collected_at": "2024-03-01T10:15:02+00:00",
        "peer": "203.0.113.9",
        "source": "live:192.0.2.1",
        "partial": False,
    }
    assert (target / "debug.log").read_text().splitlines() == list(SNAPSHOT.debug_lines)


def test_round_trip_keeps_outputs_and_masks_secrets(tmp_path: Path) -> None:
    target = save_snapshot(SNAPSHOT, tmp_path / "snap")
    loaded = load_snapshot(target)
    for command, output in SNAPSHOT.outputs.items():
        if command == "show running-config tunnel-group":
            assert loaded.outputs[command] == (
                "tunnel-group 203.0.113.9 ipsec-attributes\n ikev1 pre-shared-key *****\n"
            )
        else:
            assert loaded.outputs[command] == output
    assert loaded.debug_lines == SNAPSHOT.debug_lines
    assert loaded.device == SNAPSHOT.device
    assert loaded.peer == "203.0.113.9"
    assert loaded.collected_at == SNAPSHOT.collected_at
    assert loaded.source == f"snapshot:{target}"
    for path in target.iterdir():
        assert "Sup3rS3cret" not in path.read_text()


def test_no_debug_log_when_there_are_no_debug_lines(tmp_path: Path) -> None:
    target = save_snapshot(Snapshot(outputs={"show version": "x"}), tmp_path / "s")
    assert not (target / "debug.log").exists()
    assert load_snapshot(target).debug_lines == ()


def test_refuses_to_mix_two_snapshots(tmp_path: Path) -> None:
    target = save_snapshot(SNAPSHOT, tmp_path / "snap")
    with pytest.raises(SnapshotError, match="already contains a snapshot"):
        save_snapshot(SNAPSHOT, target)


def test_save_target_checks(tmp_path: Path) -> None:
    check_save_target(tmp_path / "new")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.md").write_text("hi")
    check_save_target(tmp_path / "other")
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(SnapshotError, match="not a directory"):
        check_save_target(file)


def test_hand_made_snapshot_minimal(tmp_path: Path) -> None:
    (tmp_path / "show_crypto_isakmp_sa.txt").write_text("IKEv1 SAs:\r\n")
    (tmp_path / "README.txt").write_text("collected by hand")  # unknown: ignored
    (tmp_path / "notes.md").write_text("ignored")
    (tmp_path / "sh_cry_ipsec_sa.txt").write_text("abbreviated name")
    snapshot = load_snapshot(tmp_path)
    assert snapshot.outputs == {
        "show crypto isakmp sa": "IKEv1 SAs:\n",
        "show crypto ipsec sa": "abbreviated name",
    }
    assert snapshot.device == DeviceInfo()
    assert snapshot.peer is None


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="not found") as info:
        load_snapshot(tmp_path / "nope")
    assert info.value.exit_code == ExitCode.BAD_INPUT


def test_file_instead_of_directory(tmp_path: Path) -> None:
    file = tmp_path / "x.txt"
    file.write_text("x")
    with pytest.raises(SnapshotError, match="file"):
        load_snapshot(file)


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="no command outputs"):
        load_snapshot(tmp_path)


def test_debug_only_snapshot_is_fine(tmp_path: Path) -> None:
    (tmp_path / "debug.log").write_text("[IKEv1] a\n\n[IKEv1] b\n")
    assert load_snapshot(tmp_path).debug_lines == ("[IKEv1] a", "[IKEv1] b")


@pytest.mark.parametrize("meta", ["hostname: [unclosed\n", "- a\n- b\n"])
def test_bad_meta_yaml_names_the_file(tmp_path: Path, meta: str) -> None:
    (tmp_path / "show_version.txt").write_text("x")
    (tmp_path / "meta.yaml").write_text(meta)
    with pytest.raises(SnapshotError, match=r"meta\.yaml"):
        load_snapshot(tmp_path)


def test_empty_meta_yaml_is_fine(tmp_path: Path) -> None:
    (tmp_path / "show_version.txt").write_text("x")
    (tmp_path / "meta.yaml").write_text("")
    assert load_snapshot(tmp_path).device.hostname == ""

"""`check --shard I/N`: the shards partition the inventory, the split is stable (same in every
process and run), and each shard writes its own outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from vpn_doctor.cli import main
from vpn_doctor.errors import InputError
from vpn_doctor.fleet.shard import Shard, parse_shard, select, shard_of

from helpers import MockFactory

NAMES = [f"fw{i:04d}" for i in range(1000)]


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7])
def test_shards_partition_the_inventory(count: int) -> None:
    parts = [select(NAMES, NAMES, Shard(i, count)) for i in range(count)]
    assert sorted(name for part in parts for name in part) == sorted(NAMES)
    assert sum(len(part) for part in parts) == len(NAMES)  # disjoint
    for part in parts:  # roughly balanced: a hash, not ranges of the alphabet
        assert len(NAMES) / count * 0.8 < len(part) < len(NAMES) / count * 1.2
        assert part == [n for n in NAMES if n in set(part)]  # inventory order kept


def test_split_is_stable_across_processes() -> None:
    # Pinned values: SHA-256 of the name, so they never change between runs or versions.
    assert [shard_of(f"fw{i:03d}", 4) for i in range(8)] == [2, 1, 0, 0, 1, 2, 1, 0]
    code = "from vpn_doctor.fleet.shard import shard_of; print([shard_of(n, 5) for n in %r])"
    seen = set()
    for seed in ("1", "2"):  # Python's own hash() would differ between these two
        out = subprocess.run(
            [sys.executable, "-c", code % NAMES[:50]],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed},
        ).stdout
        seen.add(out)
    assert seen == {f"{[shard_of(n, 5) for n in NAMES[:50]]}\n"}


def test_adding_hosts_moves_no_existing_host() -> None:
    before = {n: shard_of(n, 4) for n in NAMES[:500]}
    assert {n: shard_of(n, 4) for n in NAMES if n in before} == before


@pytest.mark.parametrize("text", ["4/4", "1/0", "a/b", "1", "-1/3", "0/100000"])
def test_bad_shard(text: str) -> None:
    with pytest.raises(InputError, match="--shard"):
        parse_shard(text)


def test_textfile_name_per_shard() -> None:
    assert Shard(1, 4).textfile(Path("/t/vpn_doctor.prom")) == Path(
        "/t/vpn_doctor.shard-1-of-4.prom"
    )


@pytest.mark.e2e
def test_check_shards_write_their_own_outputs(
    mock_asa: MockFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("VPN_DOCTOR_PASSWORD", "cisco123")
    mock = mock_asa("healthy")
    names = [f"fw{i:03d}" for i in range(6)]  # shards of 3: [2,1,0,0,1,2] -> two hosts each
    hosts = {
        name: {"hostname": "127.0.0.1", "port": mock.port, "username": "admin"} for name in names
    }
    inventory = tmp_path / "hosts.yaml"
    inventory.write_text(yaml.safe_dump(hosts), encoding="utf-8")
    textfile = tmp_path / "vpn.prom"
    checked: list[list[str]] = []
    for index in range(3):
        args = ["check", "-i", str(inventory), "--shard", f"{index}/3", "--format", "json"]
        assert main([*args, "--textfile", str(textfile)]) == 0
        document = json.loads(capsys.readouterr().out)
        assert document["shard"] == {"index": index, "count": 3}
        checked.append([device["host"] for device in document["devices"]])
        text = (tmp_path / f"vpn.shard-{index}-of-3.prom").read_text(encoding="utf-8")
        assert f'vpn_doctor_check_duration_seconds{{shard="{index}/3"}}' in text
    assert sorted(h for part in checked for h in part) == names
    assert all(checked), checked
    assert not textfile.exists()


def test_empty_shard_exits_ok_without_logging_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = next(n for n in NAMES if shard_of(n, 2) == 1)
    inventory = tmp_path / "hosts.yaml"
    hosts = {name: {"hostname": "127.0.0.1", "port": 1, "username": "admin"}}
    inventory.write_text(yaml.safe_dump(hosts), encoding="utf-8")
    assert main(["check", "-i", str(inventory), "--shard", "0/2", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["devices"] == [] and document["shard"] == {"index": 0, "count": 2}


def test_bad_shard_on_the_command_line_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["check", "-i", "hosts.yaml", "--shard", "4/4"])
    assert caught.value.code == 64
    assert "numbered 0..3" in capsys.readouterr().err

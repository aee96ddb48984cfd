"""Prometheus exposition: escaping, HELP/TYPE before samples, atomic textfile writes."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from prometheus_client.core import GaugeMetricFamily

from vpn_doctor.errors import InputError
from vpn_doctor.fleet.check import HostResult
from vpn_doctor.fleet.prometheus import registry_of, render_metrics, write_textfile
from vpn_doctor.fleet.status import summarize

FINISHED = datetime(2025, 11, 22, 10, 0, tzinfo=timezone.utc)


def test_unreachable_device_metrics() -> None:
    results = [
        HostResult(
            host='fw "1"\\x',
            address="192.0.2.1",
            port=22,
            status="unreachable",
            error="refused",
            error_code=10,
        ),
    ]
    text = render_metrics(results, summarize(results, 1.5), FINISHED)
    lines = text.splitlines()
    assert 'vpn_doctor_device_reachable{host="fw \\"1\\"\\\\x"} 0.0' in lines
    assert 'vpn_doctor_device_state{host="fw \\"1\\"\\\\x"} 2.0' in lines
    assert "vpn_doctor_check_duration_seconds 1.5" in lines
    stamp = [line for line in lines if line.startswith("vpn_doctor_last_check_timestamp_seconds ")]
    assert [float(line.split()[1]) for line in stamp] == [FINISHED.timestamp()]
    assert not [line for line in lines if line.startswith("vpn_doctor_tunnel")]
    # every family: HELP, then TYPE, then its samples, never interleaved
    seen: list[str] = []
    for line in lines:
        if line.startswith("# HELP "):
            name = line.split()[2]
            assert name not in seen
            seen.append(name)
        elif line.startswith("# TYPE "):
            assert line.split()[2] == seen[-1]
        else:
            assert line.split("{")[0].split(" ")[0] == seen[-1]


def test_textfile_is_replaced_atomically(tmp_path: Path) -> None:
    target = tmp_path / "vpn_doctor.prom"
    target.write_text("old\n", encoding="utf-8")
    gauge = GaugeMetricFamily("new", "new metric", value=1)
    write_textfile(target, registry_of([gauge]))
    assert "\nnew 1.0\n" in target.read_text(encoding="utf-8")
    assert os.listdir(tmp_path) == ["vpn_doctor.prom"]  # no temporary file left behind
    assert oct(target.stat().st_mode & 0o777) == "0o644"


def test_textfile_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="directory does not exist"):
        write_textfile(tmp_path / "nope" / "x.prom", registry_of([]))

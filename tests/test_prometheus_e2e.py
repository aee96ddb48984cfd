"""A REAL Prometheus server scrapes two `vpn-doctor exporter` instances that share a mock
fleet by hashmod relabelling (docs/prometheus/prometheus.yml, only addresses and intervals
changed: 1 s for rules and the exporters' own metrics, 3 s for probes so that a login on a
loaded CI machine still fits the scrape timeout), evaluates docs/prometheus/vpn_doctor_rules.yml
(``for`` set to 0s), and is asked over its HTTP API for every mock tunnel's
``vpn_doctor_tunnel_up`` and for the alert on the broken one. promtool validates the shipped
rules and configuration.

Needs the ``prometheus`` Debian package (prometheus + promtool). Locally the tests skip
without it; with CI=true they fail, so CI can never pass by not running them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from mock_device import MockFleet
from vpn_doctor.fleet.exporter import (
    Exporter,
    ExporterServer,
    ProbeRequest,
    run_probe,
    start_server,
)
from vpn_doctor.fleet.exporter_config import load_exporter_config
from vpn_doctor.fleet.probe_metrics import ProbeOutcome

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "prometheus"
SCENARIOS = ["healthy", "code_IPSEC_ONE_WAY", "code_IKE_NO_RESPONSE", "healthy"]
# (scenario index, peer) -> expected vpn_doctor_tunnel_up
EXPECTED_UP = {
    (0, "203.0.113.9"): 1.0,
    (1, "203.0.113.26"): 1.0,
    (1, "192.0.2.50"): 1.0,
    (2, "203.0.113.11"): 0.0,
    (3, "203.0.113.9"): 1.0,
}
BROKEN = (2, "203.0.113.11")
WAIT = 120.0  # seconds: generous for a loaded CI machine; the loop ends as soon as it is true


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} not installed (apt-get install -y prometheus)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def hashmod(value: str, modulus: int) -> int:
    """Prometheus' hashmod relabelling: the last 8 bytes of MD5, big-endian, modulo."""
    return int.from_bytes(hashlib.md5(value.encode()).digest()[8:], "big") % modulus


def api(base: str, path: str, **params: str) -> Any:
    url = f"{base}{path}?{urllib.parse.urlencode(params)}" if params else f"{base}{path}"
    with urllib.request.urlopen(url, timeout=10) as reply:
        return json.load(reply)


class Recorder:
    """run_probe, remembering which targets this exporter probed (to check the sharding)."""

    def __init__(self) -> None:
        self.targets: set[str] = set()
        self.lock = threading.Lock()

    def __call__(
        self, request: ProbeRequest, budget: float, environ: Mapping[str, str]
    ) -> ProbeOutcome:
        with self.lock:
            self.targets.add(request.target)
        return run_probe(request, budget, environ)


def prometheus_config(
    targets: list[str], exporters: list[str], rules: Path, probe_interval: str
) -> dict[str, Any]:
    """docs/prometheus/prometheus.yml with our addresses and short intervals."""
    config: dict[str, Any] = yaml.safe_load((DOCS / "prometheus.yml").read_text())
    config["global"].update(scrape_interval="1s", scrape_timeout="1s", evaluation_interval="1s")
    config["rule_files"] = [str(rules)]
    shard_jobs = [job for job in config["scrape_configs"] if job.get("metrics_path") == "/probe"]
    assert len(shard_jobs) == 2
    for index, job in enumerate(shard_jobs):
        job["static_configs"] = [{"targets": targets}]
        job.update(scrape_interval=probe_interval, scrape_timeout=probe_interval)
        address = [r for r in job["relabel_configs"] if r.get("target_label") == "__address__"]
        assert len(address) == 1
        address[0]["replacement"] = exporters[index]
        keep = [r for r in job["relabel_configs"] if r.get("action") == "keep"]
        assert keep[0]["regex"] == str(index)
    (own,) = [job for job in config["scrape_configs"] if "metrics_path" not in job]
    own.update(static_configs=[{"targets": exporters}], scrape_interval="1s", scrape_timeout="1s")
    return config


@pytest.fixture
def prometheus_stack(tmp_path: Path) -> Iterator[dict[str, Any]]:
    binary = tool("prometheus")
    rules = yaml.safe_load((DOCS / "vpn_doctor_rules.yml").read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            rule["for"] = "0s"
    rules_path = tmp_path / "rules.yml"
    rules_path.write_text(yaml.safe_dump(rules), encoding="utf-8")
    config = load_exporter_config(ROOT / "examples" / "exporter.yaml")
    environ = {"VPN_DOCTOR_PASSWORD": "cisco123"}
    recorders = [Recorder(), Recorder()]
    servers: list[ExporterServer] = []
    process: subprocess.Popen[bytes] | None = None
    with MockFleet(SCENARIOS, hostname_template="fw{index}") as fleet:
        try:
            for recorder in recorders:
                exporter = Exporter(config, environ=environ, probe=recorder, log=lambda s: None)
                servers.append(start_server(exporter, "127.0.0.1:0"))
            exporters = [f"127.0.0.1:{server.server_address[1]}" for server in servers]
            targets = [f"127.0.0.1:{device.port}" for device in fleet.devices]
            port = free_port()
            config_path = tmp_path / "prometheus.yml"
            config_path.write_text(
                yaml.safe_dump(prometheus_config(targets, exporters, rules_path, "3s")),
                encoding="utf-8",
            )
            log = (tmp_path / "prometheus.log").open("wb")
            process = subprocess.Popen(
                [
                    binary,
                    f"--config.file={config_path}",
                    f"--storage.tsdb.path={tmp_path / 'data'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                    "--log.level=warn",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=tmp_path,
            )
            yield {
                "base": f"http://127.0.0.1:{port}",
                "targets": targets,
                "recorders": recorders,
                "process": process,
                "log": tmp_path / "prometheus.log",
            }
        finally:
            if process is not None:
                process.kill()
                process.wait(timeout=30)
            for server in servers:
                server.shutdown()
                server.server_close()


def wait_for(check: Any, what: str, stack: dict[str, Any]) -> Any:
    end = time.monotonic() + WAIT
    last: Any = None
    while time.monotonic() < end:
        assert stack["process"].poll() is None, stack["log"].read_text()[-2000:]
        try:
            last = check()
        except OSError:
            last = None  # not listening yet
        if last:
            return last
        time.sleep(1)
    pytest.fail(f"timed out waiting for {what}; last answer: {last!r}")


def series(stack: dict[str, Any], query: str) -> dict[tuple[str, str], float]:
    answer = api(stack["base"], "/api/v1/query", query=query)
    assert answer["status"] == "success", answer
    return {
        (item["metric"].get("instance", ""), item["metric"].get("peer", "")): float(
            item["value"][1]
        )
        for item in answer["data"]["result"]
    }


@pytest.mark.e2e
def test_real_prometheus_scrapes_the_sharded_exporters(prometheus_stack: dict[str, Any]) -> None:
    stack = prometheus_stack
    targets = stack["targets"]
    expected = {(targets[index], peer): up for (index, peer), up in EXPECTED_UP.items()}
    query = "last_over_time(vpn_doctor_tunnel_up[5m])"

    def all_tunnels() -> dict[tuple[str, str], float] | None:
        found = series(stack, query)
        return found if set(expected) <= set(found) else None

    found = wait_for(all_tunnels, "vpn_doctor_tunnel_up of every mock tunnel", stack)
    assert {key: found[key] for key in expected} == expected
    # each firewall probed by exactly the exporter its hashmod shard names, never both
    recorders = stack["recorders"]
    for target in targets:
        shard = hashmod(target, 2)
        assert target in recorders[shard].targets
        assert target not in recorders[1 - shard].targets
    # instance is the firewall (relabelled), job the common one, no host label from us
    answer = api(stack["base"], "/api/v1/query", query="vpn_doctor_probe_success")
    for item in answer["data"]["result"]:
        assert item["metric"]["job"] == "vpn-doctor"
        assert item["metric"]["instance"] in targets
        assert "host" not in item["metric"]

    broken = targets[BROKEN[0]]

    def down_alert() -> list[dict[str, Any]]:
        alerts = api(stack["base"], "/api/v1/alerts")["data"]["alerts"]
        return [
            a
            for a in alerts
            if a["labels"].get("alertname") == "VpnTunnelDown" and a["state"] == "firing"
        ]

    firing = wait_for(down_alert, "the VpnTunnelDown alert", stack)
    assert {(a["labels"]["instance"], a["labels"]["peer"]) for a in firing} == {(broken, BROKEN[1])}
    assert firing[0]["labels"]["severity"] == "critical"


def test_promtool_accepts_the_shipped_rules_and_config(tmp_path: Path) -> None:
    promtool = tool("promtool")
    for args in (
        ["check", "rules", str(DOCS / "vpn_doctor_rules.yml")],
        ["check", "config", str(DOCS / "prometheus.yml")],
    ):
        result = subprocess.run([promtool, *args], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
    broken = tmp_path / "broken.yml"
    broken.write_text("groups: [{name: x, rules: [{alert: A, expr: 'up =='}]}]\n")
    result = subprocess.run(
        [promtool, "check", "rules", str(broken)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0  # promtool really checks

"""The exporter under load: N mock firewalls scraped by a real Prometheus, and `check` over
a large inventory, both against the floor set by the devices' own latency.

Setup (all on 127.0.0.1): a MockFleet of N healthy ASAs in a child process
(bench/fleet_server.py) answering every show command after ``--delay-ms`` (100 ms);
`vpn-doctor exporter` as its own process; Prometheus (the Debian package) scraping
``/probe?target=...`` for every device at ``--interval`` (15 s, timeout 14 s) for
``--duration`` seconds. Then, from Prometheus' own data: the scrape durations
(``scrape_duration_seconds`` of every probe scrape: p50/p99/max), failed scrapes (``up == 0``:
504 or no answer) and failed probes (``vpn_doctor_probe_success == 0``); from the exporter
process: peak resident memory (VmHWM). The floor per target is commands x latency
(4 show commands x 100 ms = 0.4 s; login and enable prompts are not delayed by the mock):
no exporter can answer faster than the device does.

`check` section: ``vpn-doctor check --inventory`` over ``--check-devices`` mock ASAs at the
same latency, default workers; its floor is ceil(devices / workers) x 0.4 s.

Run: ``python bench/bench_exporter.py [--targets 500] [--duration 120] [--check-devices 1000]``
(writes bench/results/exporter.md and .json). Needs `prometheus` on PATH.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_fleet import FleetProcess, default_workers, write_inventory

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
COMMANDS = 4  # DEFAULT_COLLECTION: show version, isakmp sa, ipsec sa, vpn-sessiondb l2l
CLI = [sys.executable, "-c", "import sys; from vpn_doctor.cli import main; sys.exit(main())"]
_PW_ENV = "VPN_DOCTOR_BENCH_FLEET_PASSWORD"
_SECRET_ENV = "VPN_DOCTOR_BENCH_FLEET_SECRET"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def api(base: str, path: str, **params: str) -> Any:
    url = f"{base}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=60) as reply:
        return json.load(reply)["data"]


def wait_http(url: str, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def quantile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def peak_rss_mb(pid: int) -> tuple[float, float]:
    """(VmHWM, VmRSS) of ``pid`` in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            fields[key] = int(value.split()[0]) / 1024
    return fields.get("VmHWM", math.nan), fields.get("VmRSS", math.nan)


def exporter_run(
    targets: int, delay_ms: int, interval: int, duration: int, max_sessions: int
) -> dict[str, Any]:
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        raise SystemExit("prometheus not on PATH: apt-get install -y prometheus")
    with FleetProcess(targets, delay_ms) as fleet, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        info = fleet.info
        config = work / "exporter.yaml"
        config.write_text(
            json.dumps(
                {
                    "targets": ["127.0.0.1:*"],
                    "max_concurrent_probes": max_sessions,
                    "modules": {
                        "default": {
                            "username": info["username"],
                            "password_env": _PW_ENV,
                            "secret_env": _SECRET_ENV,
                        }
                    },
                }
            )
        )
        exporter_port, prom_port = free_port(), free_port()
        env = {**os.environ, _PW_ENV: info["password"], _SECRET_ENV: info["secret"]}
        exporter = subprocess.Popen(
            [
                *CLI,
                "exporter",
                "--config",
                str(config),
                "--listen",
                f"127.0.0.1:{exporter_port}",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(work / "exporter.log").open("wb"),
        )
        prom: subprocess.Popen[bytes] | None = None
        try:
            wait_http(f"http://127.0.0.1:{exporter_port}/metrics", 60)
            prom_config = {
                "global": {
                    "scrape_interval": f"{interval}s",
                    "scrape_timeout": f"{interval - 1}s",
                },
                "scrape_configs": [
                    {
                        "job_name": "vpn-doctor",
                        "metrics_path": "/probe",
                        "static_configs": [
                            {"targets": [f"127.0.0.1:{port}" for port in fleet.ports]}
                        ],
                        "relabel_configs": [
                            {"source_labels": ["__address__"], "target_label": "__param_target"},
                            {"source_labels": ["__param_target"], "target_label": "instance"},
                            {
                                "target_label": "__address__",
                                "replacement": f"127.0.0.1:{exporter_port}",
                            },
                        ],
                    },
                    {
                        "job_name": "exporter",
                        "scrape_interval": "5s",
                        "scrape_timeout": "4s",
                        "static_configs": [{"targets": [f"127.0.0.1:{exporter_port}"]}],
                    },
                ],
            }
            (work / "prometheus.yml").write_text(json.dumps(prom_config))
            prom = subprocess.Popen(
                [
                    prometheus,
                    f"--config.file={work / 'prometheus.yml'}",
                    f"--storage.tsdb.path={work / 'data'}",
                    f"--web.listen-address=127.0.0.1:{prom_port}",
                    "--log.level=warn",
                ],
                stdout=subprocess.DEVNULL,
                stderr=(work / "prometheus.log").open("wb"),
                cwd=work,
            )
            base = f"http://127.0.0.1:{prom_port}"
            wait_http(f"{base}/-/ready", 60)
            started = time.time()
            time.sleep(duration)
            window = f"{int(time.time() - started)}s"
            durations = [
                float(value)
                for item in api(
                    base,
                    "/api/v1/query",
                    query=f'scrape_duration_seconds{{job="vpn-doctor"}}[{window}]',
                )["result"]
                for _, value in item["values"]
            ]
            ups = [
                float(value)
                for item in api(base, "/api/v1/query", query=f'up{{job="vpn-doctor"}}[{window}]')[
                    "result"
                ]
                for _, value in item["values"]
            ]
            success = [
                float(value)
                for item in api(base, "/api/v1/query", query=f"vpn_doctor_probe_success[{window}]")[
                    "result"
                ]
                for _, value in item["values"]
            ]
            # Why probes failed: the status label of every non-ok probe (a count alone hid
            # whether one failure in 3,810 was the device, the deadline or a bug).
            failed_by_status = {
                item["metric"].get("status", "?"): int(float(item["value"][1]))
                for item in api(
                    base,
                    "/api/v1/query",
                    query="sum by (status) (count_over_time("
                    f'vpn_doctor_probe_status{{status!="ok"}}[{window}]))',
                )["result"]
            }
            sessions = api(
                base,
                "/api/v1/query",
                query=f"max_over_time(vpn_doctor_exporter_sessions_in_use[{window}])",
            )["result"]
            hwm, rss = peak_rss_mb(exporter.pid)
        finally:
            if prom is not None:
                prom.kill()
                prom.wait(timeout=30)
            exporter.kill()
            exporter.wait(timeout=30)
    floor = COMMANDS * delay_ms / 1000
    return {
        "targets": targets,
        "delay_ms": delay_ms,
        "interval_s": interval,
        "duration_s": duration,
        "max_concurrent_probes": max_sessions,
        "scrapes": len(ups),
        "scrapes_failed": sum(1 for v in ups if v == 0),
        "probes_answered": len(success),
        "probes_failed": sum(1 for v in success if v == 0),
        "probes_failed_by_status": failed_by_status,
        "scrape_p50_s": round(quantile(durations, 0.5), 3),
        "scrape_p99_s": round(quantile(durations, 0.99), 3),
        "scrape_max_s": round(max(durations, default=math.nan), 3),
        "floor_per_target_s": floor,
        "p50_over_floor": round(quantile(durations, 0.5) / floor, 2),
        "max_sessions_in_use": float(sessions[0]["value"][1]) if sessions else math.nan,
        "exporter_peak_rss_mib": round(hwm, 1),
        "exporter_rss_end_mib": round(rss, 1),
    }


def check_run(devices: int, delay_ms: int) -> dict[str, Any]:
    workers, source = default_workers(devices)
    with FleetProcess(devices, delay_ms) as fleet, tempfile.TemporaryDirectory() as tmp:
        inventory = Path(tmp) / "hosts.yaml"
        write_inventory(inventory, fleet, fleet.ports)
        env = {
            **os.environ,
            _PW_ENV: fleet.info["password"],
            _SECRET_ENV: fleet.info["secret"],
        }
        start = time.perf_counter()
        proc = subprocess.run(
            [*CLI, "check", "-i", str(inventory), "--format", "json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=3600,
            check=False,
        )
        wall = time.perf_counter() - start
    document = json.loads(proc.stdout)
    statuses: dict[str, int] = {}
    for device in document["devices"]:
        key = f"{device['status']}/{device['state']}"
        statuses[key] = statuses.get(key, 0) + 1
    per_device = [float(d["duration_seconds"]) for d in document["devices"]]
    floor = math.ceil(devices / workers) * COMMANDS * delay_ms / 1000
    return {
        "devices": devices,
        "delay_ms": delay_ms,
        "workers": workers,
        "workers_source": source,
        "wall_s": round(wall, 1),
        "floor_s": floor,
        "wall_over_floor": round(wall / floor, 2),
        "device_p50_s": round(quantile(per_device, 0.5), 3),
        "device_p99_s": round(quantile(per_device, 0.99), 3),
        "statuses": statuses,
    }


def render(result: dict[str, Any]) -> str:
    lines = [
        "# Exporter and fleet-scale benchmark",
        "",
        f"- command: `{result['command']}`",
        f"- run at {result['at']}, {os.cpu_count()} CPUs, load average at start "
        f"{result['load']}; the machine is shared: compare with the floor, not absolutes",
        "",
    ]
    if "exporter" in result:
        e = result["exporter"]
        lines += [
            "## Exporter scraped by Prometheus",
            "",
            f"{e['targets']} mock ASAs, {e['delay_ms']} ms per show command, scrape interval "
            f"{e['interval_s']} s, {e['duration_s']} s of scraping, "
            f"max_concurrent_probes {e['max_concurrent_probes']}.",
            "",
            "| measure | value |",
            "|---|---|",
            f"| scrapes (probe requests) | {e['scrapes']} |",
            f"| failed scrapes (up == 0: 504 / no answer) | {e['scrapes_failed']} |",
            f"| failed probes (vpn_doctor_probe_success == 0) | {e['probes_failed']} "
            f"{e.get('probes_failed_by_status') or ''} |",
            f"| scrape duration p50 / p99 / max | {e['scrape_p50_s']} / {e['scrape_p99_s']} / "
            f"{e['scrape_max_s']} s |",
            f"| floor per target (commands x latency) | {e['floor_per_target_s']} s |",
            f"| p50 / floor | {e['p50_over_floor']}x |",
            f"| SSH sessions in use (max seen) | {e['max_sessions_in_use']} |",
            f"| exporter memory: peak RSS / at end | {e['exporter_peak_rss_mib']} / "
            f"{e['exporter_rss_end_mib']} MiB |",
            "",
        ]
    if "check" in result:
        c = result["check"]
        lines += [
            "## `vpn-doctor check` over a large inventory",
            "",
            "| measure | value |",
            "|---|---|",
            f"| devices / latency | {c['devices']} / {c['delay_ms']} ms per command |",
            f"| workers | {c['workers']} ({c['workers_source']}) |",
            f"| wall time | {c['wall_s']} s |",
            f"| floor: ceil(devices / workers) x commands x latency | {c['floor_s']} s |",
            f"| wall / floor | {c['wall_over_floor']}x |",
            f"| per device p50 / p99 | {c['device_p50_s']} / {c['device_p99_s']} s |",
            f"| statuses | {c['statuses']} |",
            "",
        ]
    lines += [f"Notes: {note}" for note in result.get("notes", [])]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=500)
    parser.add_argument("--interval", type=int, default=15)
    parser.add_argument("--duration", type=int, default=120)
    parser.add_argument("--delay-ms", type=int, default=100)
    parser.add_argument("--max-sessions", type=int, default=64)
    parser.add_argument("--check-devices", type=int, default=1000)
    parser.add_argument("--skip-exporter", action="store_true")
    parser.add_argument("--skip-check", action="store_true")
    parser.add_argument("--note", action="append", default=[])
    parser.add_argument(
        "--output",
        default="exporter",
        help="result name: writes bench/results/NAME.json and NAME.md (a path or a .md/.json "
        "suffix is reduced to the name)",
    )
    args = parser.parse_args()
    result: dict[str, Any] = {
        "command": " ".join(["python bench/bench_exporter.py", *sys.argv[1:]]),
        "at": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "load": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
        "notes": args.note,
    }
    if not args.skip_exporter:
        result["exporter"] = exporter_run(
            args.targets, args.delay_ms, args.interval, args.duration, args.max_sessions
        )
        print(json.dumps(result["exporter"], indent=2), flush=True)
    if not args.skip_check:
        result["check"] = check_run(args.check_devices, args.delay_ms)
        print(json.dumps(result["check"], indent=2), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    # A name, not a path: `--output bench/results/x.md` once lost a 4-minute run at the end.
    name = Path(args.output).name.removesuffix(".md").removesuffix(".json")
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(render(result))
    print(render(result))


if __name__ == "__main__":
    main()

"""`vpn-doctor check` end to end: 24 mock ASAs on one event loop, real SSH, mixed faults.

One module-scoped run (JSON on stdout + Prometheus textfile) is shared by the assertions, so
the fleet is logged into once. Planted faults and where they must be reported:

    fw04 many_tunnels   198.51.100.40 IKE_NO_RESPONSE (critical), 203.0.113.12 IPSEC_ONE_WAY;
                        203.0.113.1/.2 a healthy redundancy pair; the other 56 tunnels are
                        not in the inventory: info only
    fw05 many_tunnels   198.51.100.40 + .44 one redundancy group, both down: critical
    fw06 mm_wait_msg2   198.51.100.20 IKE_NO_RESPONSE
    fw07 no_sa          203.0.113.50 missing: IKE_NO_SA
    fw08 IPSEC_ONE_WAY  203.0.113.26 IPSEC_ONE_WAY (warning); 192.0.2.50 healthy
    fw09 AWS pair       203.0.113.32 down, .31 up: TUNNEL_REDUNDANCY_DEGRADED (warning)
    fw10 healthy        a second expected proxy pair without SA: IPSEC_NO_SA (warning)
    fw11 healthy        IPsec SA with 42 s left, no rekey: SA_EXPIRING_NO_REKEY (warning)
    fw12 healthy        expects a second peer 203.0.113.77 that is not there: IKE_NO_SA
    fw14 wrong password -> auth_failed;  fw15 nobody listening -> unreachable
    fw16 5 s per command -> timeout (deadline);  fw18 IKE_AUTH_FAILED;  fw19 IPSEC_NO_SA
    the rest: healthy (OK, no finding above info)
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from mock_device import MockFleet, Scenario, unreachable_port
from vpn_doctor.asa.commands import DEFAULT_COLLECTION
from vpn_doctor.cli import main

from helpers import with_sa_seconds_left

PASSWORD = "cisco123"  # the mock's default login and enable password
HEALTHY_PEER = "203.0.113.9"
HEALTHY_PROXY = ["10.10.0.0/24", "10.20.0.0/24"]
# What netmiko types to prepare a session (besides `terminal ...`); everything else must be
# one of the read-only collection commands.
SESSION_PREP = {
    "show curpriv",
    "show debug",
    "show failover",
    "enable",
    "exit",
    "logout",
    "login",
}


def _tunnels(*items: dict[str, Any]) -> dict[str, Any]:
    return {"vpn_doctor": {"tunnels": list(items)}}


HEALTHY = _tunnels({"peer": HEALTHY_PEER, "proxies": [HEALTHY_PROXY]})

# (scenario, data.vpn_doctor / credentials overrides) per device, index = fwNN
FLEET: list[tuple[str | Scenario, dict[str, Any]]] = [
    ("healthy", HEALTHY),  # fw00
    ("healthy", HEALTHY),  # fw01
    ("ikev2_up", _tunnels({"peer": "198.51.100.10", "name": "dc2"})),  # fw02
    ("code_TUNNEL_HEALTHY", _tunnels({"peer": HEALTHY_PEER})),  # fw03
    (
        "many_tunnels",  # fw04
        _tunnels(
            {"peer": "203.0.113.1", "name": "hub-a", "redundancy_group": "pair-a"},
            {"peer": "203.0.113.2", "name": "hub-b", "redundancy_group": "pair-a"},
            {"peer": "203.0.113.3"},
            {"peer": "203.0.113.12"},
            {"peer": "198.51.100.40"},
        ),
    ),
    (
        "many_tunnels",  # fw05
        _tunnels(
            {"peer": "198.51.100.40", "redundancy_group": "pair-b"},
            {"peer": "198.51.100.44", "redundancy_group": "pair-b"},
            {"peer": "203.0.113.5"},
        ),
    ),
    ("mm_wait_msg2", _tunnels({"peer": "198.51.100.20"})),  # fw06
    ("no_sa", _tunnels({"peer": "203.0.113.50"})),  # fw07
    ("code_IPSEC_ONE_WAY", _tunnels({"peer": "203.0.113.26"}, {"peer": "192.0.2.50"})),  # fw08
    (
        "code_TUNNEL_REDUNDANCY_DEGRADED",  # fw09
        _tunnels(
            {"peer": "203.0.113.31", "redundancy_group": "aws-vpc1"},
            {"peer": "203.0.113.32", "redundancy_group": "aws-vpc1"},
        ),
    ),
    (
        "healthy",  # fw10
        _tunnels(
            {"peer": HEALTHY_PEER, "proxies": [HEALTHY_PROXY, ["10.10.1.0/24", "10.20.1.0/24"]]}
        ),
    ),
    (with_sa_seconds_left("healthy", 42), HEALTHY),  # fw11: 42 s left, no rekey
    ("healthy", _tunnels({"peer": HEALTHY_PEER}, {"peer": "203.0.113.77"})),  # fw12
    ("healthy", {}),  # fw13: no expectations -> every tunnel found is checked
    ("healthy", {**HEALTHY, "password_env": "VPNDOC_TEST_WRONG"}),  # fw14 wrong password
    ("healthy", HEALTHY),  # fw15: port replaced by one nobody listens on
    ("healthy", HEALTHY),  # fw16: slow (5 s per show command) -> deadline
    ("ikev2_up", _tunnels({"peer": "198.51.100.10"})),  # fw17
    ("code_IKE_AUTH_FAILED", _tunnels({"peer": "203.0.113.14"})),  # fw18
    ("code_IPSEC_NO_SA", _tunnels({"peer": "203.0.113.25"})),  # fw19
    ("healthy", {"vpn_doctor": {"tunnels": []}}),  # fw20: expects none; found one is info
    ("healthy", HEALTHY),  # fw21
    ("code_TUNNEL_HEALTHY", _tunnels({"peer": HEALTHY_PEER})),  # fw22
    ("healthy", {**HEALTHY, "password_file": "pw.txt", "secret_file": "pw.txt"}),  # fw23
]

# host -> {peer: the codes (severity) that must be reported, nothing else above info}
PLANTED: dict[str, dict[str, set[tuple[str, str]]]] = {
    "fw04": {
        "198.51.100.40": {("IKE_NO_RESPONSE", "critical")},
        "203.0.113.12": {("IPSEC_ONE_WAY", "warning")},
    },
    "fw05": {
        "198.51.100.40": {
            ("IKE_NO_RESPONSE", "critical"),
            ("TUNNEL_REDUNDANCY_DEGRADED", "critical"),
        },
        "198.51.100.44": {("IPSEC_NO_SA", "critical"), ("TUNNEL_REDUNDANCY_DEGRADED", "critical")},
    },
    "fw06": {"198.51.100.20": {("IKE_NO_RESPONSE", "critical")}},
    "fw07": {"203.0.113.50": {("IKE_NO_SA", "critical")}},
    "fw08": {"203.0.113.26": {("IPSEC_ONE_WAY", "warning")}},
    "fw09": {"203.0.113.32": {("TUNNEL_REDUNDANCY_DEGRADED", "warning"), ("IKE_NO_SA", "warning")}},
    "fw10": {HEALTHY_PEER: {("IPSEC_NO_SA", "warning")}},
    "fw11": {HEALTHY_PEER: {("SA_EXPIRING_NO_REKEY", "warning")}},
    "fw12": {"203.0.113.77": {("IKE_NO_SA", "critical")}},
    "fw18": {"203.0.113.14": {("IKE_AUTH_FAILED", "critical")}},
    "fw19": {"203.0.113.25": {("IPSEC_NO_SA", "critical")}},
}
# Codes the engine may add next to a planted root cause (its alternatives / profile checks).
TOLERATED = {"IKE_PROPOSAL_MISMATCH", "IPSEC_PFS_MISMATCH", "TUNNEL_PROFILE_DEVIATION"}
FAILED = {"fw14": "auth_failed", "fw15": "unreachable", "fw16": "timeout"}
STATES = {
    **{h: "CRITICAL" for h in ("fw04", "fw05", "fw06", "fw07", "fw12", "fw18", "fw19")},
    **{h: "CRITICAL" for h in FAILED},
    **{h: "WARNING" for h in ("fw08", "fw09", "fw10", "fw11")},
}


@dataclass(frozen=True)
class FleetRun:
    code: int
    document: dict[str, Any]
    metrics: str
    wall: float
    commands: dict[str, list[str]]
    debug_on: dict[str, bool]


@pytest.fixture(scope="module")
def fleet_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FleetRun]:
    tmp = tmp_path_factory.mktemp("fleet")
    (tmp / "pw.txt").write_text(PASSWORD + "\n", encoding="utf-8")
    scenarios = [scenario for scenario, _ in FLEET]
    with MockFleet(scenarios, hostname_template="fw{index:02d}") as fleet:
        fleet[16].delay_ms = 5000
        hosts: dict[str, Any] = {}
        for index, (_, data) in enumerate(FLEET):
            port = unreachable_port() if index == 15 else fleet[index].port
            hosts[f"fw{index:02d}"] = {
                "hostname": "127.0.0.1",
                "port": port,
                "groups": ["asa"],
                "data": {"password_env": "VPNDOC_TEST_PW", **data},
            }
        hosts["core-router"] = {"hostname": "127.0.0.1", "platform": "cisco_ios"}
        inventory = tmp / "hosts.yaml"
        inventory.write_text(yaml.safe_dump(hosts, sort_keys=False), encoding="utf-8")
        (tmp / "groups.yaml").write_text("asa:\n  platform: cisco_asa\n", encoding="utf-8")
        (tmp / "defaults.yaml").write_text("username: admin\nport: 22\n", encoding="utf-8")
        textfile = tmp / "vpn_doctor.prom"
        argv = [
            "check",
            "--inventory",
            str(inventory),
            "--groups",
            str(tmp / "groups.yaml"),
            "--defaults",
            str(tmp / "defaults.yaml"),
            "--format",
            "json",
            "--textfile",
            str(textfile),
            "--timeout",
            "4",
            "--deadline",
            "7",
            "--secret-env",
            "VPNDOC_TEST_PW",
        ]
        capture = pytest.MonkeyPatch()
        capture.setenv("VPNDOC_TEST_PW", PASSWORD)
        capture.setenv("VPNDOC_TEST_WRONG", "not-the-password")
        out = io.StringIO()
        start = time.perf_counter()
        with contextlib.redirect_stdout(out):
            code = main(argv)
        wall = time.perf_counter() - start
        capture.undo()
        commands = {f"fw{i:02d}": device.commands() for i, device in enumerate(fleet)}
        debug_on = {f"fw{i:02d}": device.debug_state.any_on for i, device in enumerate(fleet)}
        changes = [(i, e.command) for i, dev in enumerate(fleet) for e in dev.config_changes()]
        assert not changes, f"configuration commands reached the fleet: {changes}"
        document = json.loads(out.getvalue())
        others = max(d["duration_seconds"] for d in document["devices"] if d["host"] != "fw16")
        print(
            f"\ncheck over {len(FLEET)} mock devices: {wall:.2f} s wall (bound by the deadline "
            f"of the slow fw16; slowest other device {others:.2f} s)"
        )
        yield FleetRun(code, document, textfile.read_text(), wall, commands, debug_on)


def _devices(run: FleetRun) -> dict[str, dict[str, Any]]:
    return {device["host"]: device for device in run.document["devices"]}


def test_exit_code_and_summary(fleet_run: FleetRun) -> None:
    assert fleet_run.code == 2  # CRITICAL
    summary = fleet_run.document["summary"]
    assert summary["state"] == "CRITICAL"
    assert summary["devices"] == len(FLEET)
    assert summary["unreachable"] == 3
    assert summary["skipped"] == 1  # the router
    assert summary["devices_critical"] == sum(1 for s in STATES.values() if s == "CRITICAL")
    assert summary["devices_warning"] == 4
    assert summary["text"].startswith("VPN CRITICAL - 10 of 24 devices critical, 4 warning: ")
    assert "| devices=24 unreachable=3 " in summary["text"]
    assert fleet_run.wall < 20, "one slow device must not hold up the rest"


def test_every_device_state_and_status(fleet_run: FleetRun) -> None:
    devices = _devices(fleet_run)
    assert list(devices) == [f"fw{i:02d}" for i in range(len(FLEET))]
    for host, device in devices.items():
        assert device["state"] == STATES.get(host, "OK"), (host, device["error"])
        assert device["status"] == FAILED.get(host, "ok"), (host, device["error"])
        assert device["schema"] == 1
    assert "login refused" in devices["fw14"]["error"]
    assert devices["fw14"]["exit_code"] == 11
    assert devices["fw15"]["exit_code"] == 10
    assert "deadline" in devices["fw16"]["error"] and devices["fw16"]["exit_code"] == 12


def test_planted_faults_on_the_right_peer_and_nothing_else(fleet_run: FleetRun) -> None:
    for host, device in _devices(fleet_run).items():
        for tunnel in device["tunnels"]:
            flagged = {
                (f["code"], f["severity"]) for f in tunnel["findings"] if f["severity"] != "info"
            }
            if not tunnel["expected"]:
                assert not flagged, (host, tunnel["peer"], "unexpected tunnels are info only")
                continue
            want = PLANTED.get(host, {}).get(tunnel["peer"], set())
            assert want <= flagged, (host, tunnel["peer"], flagged)
            extra = {code for code, _ in flagged - want}
            assert extra <= TOLERATED, (host, tunnel["peer"], extra)
            if want:
                assert tunnel["findings"][0]["code"] in {code for code, _ in want}
            else:
                assert tunnel["verdict"] in ("up", "degraded"), (host, tunnel["peer"])
    for host, peers in PLANTED.items():
        present = {t["peer"] for t in _devices(fleet_run)[host]["tunnels"] if t["expected"]}
        assert set(peers) <= present, host


def test_healthy_devices_have_no_problem_at_all(fleet_run: FleetRun) -> None:
    devices = _devices(fleet_run)
    for host in ("fw00", "fw01", "fw02", "fw03", "fw13", "fw17", "fw21", "fw22", "fw23"):
        tunnels = devices[host]["tunnels"]
        assert tunnels and all(t["up"] and t["verdict"] == "up" for t in tunnels), host
        assert [f["code"] for t in tunnels for f in t["findings"]] == ["TUNNEL_HEALTHY"] * len(
            tunnels
        )
    assert devices["fw20"]["tunnels"][0]["expected"] is False
    assert devices["fw02"]["tunnels"][0]["name"] == "dc2"


def test_redundancy_pair_up_is_quiet_and_expected_count(fleet_run: FleetRun) -> None:
    fw04 = {t["peer"]: t for t in _devices(fleet_run)["fw04"]["tunnels"]}
    assert fw04["203.0.113.1"]["verdict"] == "up" and fw04["203.0.113.2"]["verdict"] == "up"
    assert fw04["203.0.113.1"]["redundancy_group"] == "pair-a"
    assert sum(1 for t in fw04.values() if t["expected"]) == 5
    assert len(fw04) > 50  # the unexpected ones are reported too


def test_check_never_enables_debug(fleet_run: FleetRun) -> None:
    for host, commands in fleet_run.commands.items():
        assert not fleet_run.debug_on[host], host
        changing = [c for c in commands if c != "show debug" and ("debug" in c or c[:3] == "no ")]
        assert not changing, (host, commands)
        assert commands.count("show debug") <= 1, (host, commands)  # read once, at login
        typed = {c for c in commands if c not in SESSION_PREP and not c.startswith("terminal ")}
        assert typed <= set(DEFAULT_COLLECTION), (host, typed - set(DEFAULT_COLLECTION))


def test_secrets_never_in_output(fleet_run: FleetRun) -> None:
    text = json.dumps(fleet_run.document) + fleet_run.metrics
    assert PASSWORD not in text and "not-the-password" not in text


# ---- Prometheus text, parsed back ------------------------------------------------------------

_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_exposition(
    text: str,
) -> tuple[dict[str, str], dict[str, str], list[tuple[str, dict[str, str], float]]]:
    """(help, type, samples) from exposition text; fails on any line it does not understand."""
    helps: dict[str, str] = {}
    types: dict[str, str] = {}
    samples: list[tuple[str, dict[str, str], float]] = []
    assert text.endswith("\n")
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name, _, doc = line[7:].partition(" ")
            helps[name] = doc
        elif line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            assert kind in ("gauge", "counter"), line
            types[name] = kind
        else:
            match = _SAMPLE.match(line)
            assert match, f"not an exposition line: {line!r}"
            name, labels, value = match.groups()
            assert name in types, f"sample before its TYPE: {line}"
            parsed = dict(_LABEL.findall(labels or ""))
            samples.append((name, parsed, float(value)))
    return helps, types, samples


def test_prometheus_textfile(fleet_run: FleetRun) -> None:
    helps, types, samples = parse_exposition(fleet_run.metrics)
    assert set(helps) == set(types)
    for name in (
        "vpn_doctor_device_reachable",
        "vpn_doctor_tunnel_up",
        "vpn_doctor_tunnel_phase1_state",
        "vpn_doctor_tunnel_phase2_sas",
        "vpn_doctor_tunnel_bytes_total",
        "vpn_doctor_tunnel_finding",
        "vpn_doctor_last_check_timestamp_seconds",
        "vpn_doctor_check_duration_seconds",
    ):
        assert name in types, name
    assert types["vpn_doctor_tunnel_bytes_total"] == "counter"
    keys = [(name, tuple(sorted(labels.items()))) for name, labels, _ in samples]
    assert len(keys) == len(set(keys)), "duplicate series"

    def value(metric: str, /, **labels: str) -> float:
        found = [
            v
            for n, lab, v in samples
            if n == metric and all(lab.get(k) == x for k, x in labels.items())
        ]
        assert len(found) == 1, (metric, labels, found)
        return found[0]

    assert value("vpn_doctor_device_reachable", host="fw00") == 1
    assert value("vpn_doctor_device_reachable", host="fw15") == 0
    assert value("vpn_doctor_device_status", host="fw14", status="auth_failed") == 1
    assert value("vpn_doctor_tunnel_up", host="fw00", peer=HEALTHY_PEER, name="") == 1
    assert value("vpn_doctor_tunnel_up", host="fw02", peer="198.51.100.10", name="dc2") == 1
    assert value("vpn_doctor_tunnel_up", host="fw07", peer="203.0.113.50") == 0
    assert value("vpn_doctor_tunnel_phase1_state", host="fw00", peer=HEALTHY_PEER) == 1
    assert [
        lab["state"]
        for n, lab, _ in samples
        if n == "vpn_doctor_tunnel_phase1_state" and lab["host"] == "fw06"
    ] == ["MM_WAIT_MSG2"]
    assert value("vpn_doctor_tunnel_phase2_sas", host="fw00", peer=HEALTHY_PEER) == 1
    assert (
        value("vpn_doctor_tunnel_bytes_total", host="fw00", peer=HEALTHY_PEER, direction="tx") > 0
    )
    assert (
        value(
            "vpn_doctor_tunnel_finding",
            host="fw06",
            peer="198.51.100.20",
            code="IKE_NO_RESPONSE",
            severity="critical",
        )
        == 1
    )
    assert (
        value(
            "vpn_doctor_tunnel_finding",
            host="fw09",
            peer="203.0.113.32",
            code="TUNNEL_REDUNDANCY_DEGRADED",
            severity="warning",
        )
        == 1
    )
    assert not [
        lab
        for n, lab, _ in samples
        if n == "vpn_doctor_tunnel_finding" and lab["host"] in ("fw00", "fw21")
    ]
    assert not [
        lab for n, lab, _ in samples if n.startswith("vpn_doctor_tunnel") and lab["host"] in FAILED
    ]
    assert value("vpn_doctor_check_duration_seconds") > 0
    assert abs(value("vpn_doctor_last_check_timestamp_seconds") - time.time()) < 600

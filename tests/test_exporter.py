"""`vpn-doctor exporter` (Contract 5): configuration, request validation, the per-target lock,
bounded sessions, the scrape-timeout budget, and real probes against the mock over HTTP."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from mock_device import unreachable_port
from vpn_doctor.cli import main
from vpn_doctor.errors import ExporterConfigError
from vpn_doctor.fleet.exporter import (
    Exporter,
    ExporterServer,
    ProbeRequest,
    start_server,
)
from vpn_doctor.fleet.exporter_config import (
    load_exporter_config,
    parse_target,
)
from vpn_doctor.fleet.probe_metrics import ProbeOutcome

from helpers import MockFactory

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "exporter.yaml"

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    """Every sample of an exposition, keyed by (name, sorted labels); duplicates fail."""
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            assert key not in found, f"duplicate series {key}"
            found[key] = sample.value
    return found


def pick(found: Samples, name: str, **labels: str) -> list[float]:
    return [
        value
        for (metric, labs), value in found.items()
        if metric == name and all(dict(labs).get(k) == v for k, v in labels.items())
    ]


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exporter.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BASIC = """\
targets: ["127.0.0.1:*", "fw-*.example.net", "10.0.0.0/8"]
max_concurrent_probes: 2
timeout_offset: 0.5
modules:
  default: {username: admin, password_env: PW, secret_env: PW}
  other: {username: netops, password_file: pw.txt, port: 2022}
"""


# ---- configuration ----------------------------------------------------------------------------


def test_example_config_loads_and_targets_the_mock() -> None:
    config = load_exporter_config(EXAMPLE)
    module = config.modules["default"]
    assert module.username == "admin"
    assert module.credentials.password_env == "VPN_DOCTOR_PASSWORD"
    assert module.credentials.secret_env == "VPN_DOCTOR_PASSWORD"
    assert config.listen == "127.0.0.1:9790"
    assert config.allows("127.0.0.1", 2222)
    assert not config.allows("192.0.2.1", 22)


def test_config_fields_and_patterns(tmp_path: Path) -> None:
    config = load_exporter_config(write_config(tmp_path, BASIC))
    assert config.max_concurrent_probes == 2
    other = config.modules["other"]
    assert other.port == 2022 and other.credentials.password_file == tmp_path / "pw.txt"
    assert config.allows("fw-7.example.net", 22)
    assert config.allows("10.20.30.40", 22)
    assert not config.allows("11.0.0.1", 22)
    assert not config.allows("fw-7.example.net.evil", 22)
    assert not config.allows("127.0.0.2", 22)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("modules: {default: {username: a, password: x}}\ntargets: ['*']\n", "never accepted"),
        ("modules: {default: {username: a}}\n", "targets"),
        ("targets: ['*']\n", "at least one module"),
        ("modules: {default: {password_env: X}}\ntargets: ['*']\n", "username: is required"),
        ("modules: {default: {username: a, colour: red}}\ntargets: ['*']\n", "unknown option"),
        ("modules: {default: {username: a, port: 0}}\ntargets: ['*']\n", "1-65535"),
        ("modules: {default: {username: a, device_type: ios}}\ntargets: ['*']\n", "asa or ftd"),
        ("modules: {d: {username: a}}\ntargets: ['*']\nlisten: nowhere\n", "HOST:PORT"),
        ("modules: [\n", "not valid YAML"),
    ],
)
def test_bad_config_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ExporterConfigError, match=message) as caught:
        load_exporter_config(write_config(tmp_path, text))
    assert str(tmp_path) in str(caught.value)


def test_driver_options_passed_through_or_refused(tmp_path: Path) -> None:
    text = (
        "targets: ['*']\nmodules:\n  old:\n    username: a\n    legacy_ssh: true\n"
        "    jump_host: ops@bastion:2200\n    device_type: ftd\n"
    )
    path = write_config(tmp_path, text)
    with pytest.raises(ExporterConfigError, match="not supported by the SSH driver"):
        load_exporter_config(path, supported=frozenset())
    supported = frozenset({"legacy_ssh", "jump_host", "device_type"})
    module = load_exporter_config(path, supported=supported).modules["old"]
    assert dict(module.passthrough) == {
        "legacy_ssh": True,
        "jump_host": "ops@bastion:2200",
        "device_type": "ftd",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("127.0.0.1", ("127.0.0.1", 22)),
        ("127.0.0.1:2222", ("127.0.0.1", 2222)),
        ("fw-1.example.net:22", ("fw-1.example.net", 22)),
        ("[2001:db8::1]:2022", ("2001:db8::1", 2022)),
        ("2001:db8::1", ("2001:db8::1", 22)),
    ],
)
def test_parse_target(text: str, expected: tuple[str, int]) -> None:
    assert parse_target(text, 22) == expected


@pytest.mark.parametrize(
    "text", ["", "a b", "host:0", "host:70000", "host:", "-x", "h;rm", "[zz::1]:22", "a/b"]
)
def test_parse_target_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_target(text, 22)


# ---- request handling with a stand-in probe (no SSH) ------------------------------------------


class FakeProbe:
    """Records concurrency per target and overall; sleeps ``hold`` seconds per probe."""

    def __init__(self, hold: float = 0.0) -> None:
        self.hold = hold
        self.lock = threading.Lock()
        self.running: dict[str, int] = {}
        self.max_per_target = 0
        self.total = 0
        self.max_total = 0
        self.budgets: list[float] = []

    def __call__(
        self, request: ProbeRequest, budget: float, environ: Mapping[str, str]
    ) -> ProbeOutcome:
        with self.lock:
            self.budgets.append(budget)
            self.running[request.target] = self.running.get(request.target, 0) + 1
            self.total += 1
            self.max_per_target = max(self.max_per_target, self.running[request.target])
            self.max_total = max(self.max_total, self.total)
        time.sleep(self.hold)
        with self.lock:
            self.running[request.target] -= 1
            self.total -= 1
        return ProbeOutcome("unreachable", self.hold, error="stand-in")


def exporter_with(tmp_path: Path, probe: FakeProbe) -> Exporter:
    config = load_exporter_config(write_config(tmp_path, BASIC))
    return Exporter(config, environ={"PW": "x"}, probe=probe, log=lambda line: None)


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"target": ["127.0.0.1:70000"]}, 400, "bad target"),
        ({}, 400, "target parameter is missing"),
        ({"target": ["127.0.0.1:22"], "module": ["nope"]}, 400, "unknown module 'nope'"),
        ({"target": ["127.0.0.1:22"], "peer": ["not-an-ip"]}, 400, "peer must be an IP"),
        ({"target": ["127.0.0.1:22", "127.0.0.1:23"]}, 400, "given 2 times"),
        ({"target": ["192.0.2.1"]}, 403, "not allowed"),
        ({"target": ["127.0.0.1:22"], "context": ["c 1"]}, 400, "bad context name"),
    ],
)
def test_bad_requests_are_refused_without_probing(
    tmp_path: Path, query: dict[str, list[str]], status: int, message: str
) -> None:
    probe = FakeProbe()
    response = exporter_with(tmp_path, probe).probe(query, None)
    assert response.status == status
    assert message in response.body.decode()
    assert probe.budgets == []


def test_failed_probe_answers_success_zero(tmp_path: Path) -> None:
    exporter = exporter_with(tmp_path, FakeProbe())
    response = exporter.probe({"target": ["127.0.0.1:22"]}, "10")
    assert response.status == 200
    found = samples(response.body.decode())
    assert pick(found, "vpn_doctor_probe_success") == [0.0]
    assert pick(found, "vpn_doctor_probe_status", status="unreachable") == [1.0]
    assert not pick(found, "vpn_doctor_tunnel_up")
    own = samples(exporter.metrics().body.decode())
    assert pick(own, "vpn_doctor_exporter_probes_total", result="failure") == [1.0]


def test_scrape_timeout_header_sets_the_budget(tmp_path: Path) -> None:
    probe = FakeProbe()
    exporter = exporter_with(tmp_path, probe)
    exporter.probe({"target": ["127.0.0.1:22"]}, "7.5")
    exporter.probe({"target": ["127.0.0.1:22"]}, None)  # default_scrape_timeout 30
    assert probe.budgets[0] <= 7.0 and probe.budgets[0] > 6.0
    assert probe.budgets[1] <= 29.5 and probe.budgets[1] > 28.0


def test_probe_past_the_scrape_timeout_is_504(tmp_path: Path) -> None:
    probe = FakeProbe(hold=3.0)
    exporter = exporter_with(tmp_path, probe)
    response = exporter.probe({"target": ["127.0.0.1:22"]}, "1.5")  # budget 1 s
    assert response.status == 504
    assert "did not finish" in response.body.decode()
    own = samples(exporter.metrics().body.decode())
    assert pick(own, "vpn_doctor_exporter_probes_total", result="timeout") == [1.0]


def test_one_session_per_target_and_bounded_sessions(tmp_path: Path) -> None:
    probe = FakeProbe(hold=1.0)  # long enough that the first probes overlap even under load
    exporter = exporter_with(tmp_path, probe)  # max_concurrent_probes: 2
    targets = ["127.0.0.1:22"] * 3 + ["127.0.0.1:23", "127.0.0.1:24", "127.0.0.1:25"]
    statuses: list[int] = []

    def one(target: str) -> None:
        statuses.append(exporter.probe({"target": [target]}, "30").status)

    threads = [threading.Thread(target=one, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * len(targets)
    assert probe.max_per_target == 1
    assert probe.max_total == 2


# ---- over HTTP ----------------------------------------------------------------------------


@pytest.fixture
def http_exporter(tmp_path: Path) -> Iterator[tuple[ExporterServer, Exporter]]:
    exporter = exporter_with(tmp_path, FakeProbe())
    server = start_server(exporter, "127.0.0.1:0")
    yield server, exporter
    server.shutdown()
    server.server_close()


def get(server: ExporterServer, path: str, timeout_header: str | None = None) -> tuple[int, str]:
    port = server.server_address[1]
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if timeout_header:
        request.add_header("X-Prometheus-Scrape-Timeout-Seconds", timeout_header)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.mark.e2e  # an HTTP server on 127.0.0.1: a socket (the fast tier has none)
def test_http_endpoints(http_exporter: tuple[ExporterServer, Exporter]) -> None:
    server, _ = http_exporter
    status, body = get(server, "/probe?target=127.0.0.1:2222")
    assert status == 200 and "vpn_doctor_probe_success 0.0" in body
    assert get(server, "/probe?target=192.0.2.1")[0] == 403
    assert get(server, "/probe?target=a%20b")[0] == 400
    assert get(server, "/nope")[0] == 404
    status, body = get(server, "/metrics")
    assert status == 200
    found = samples(body)
    assert pick(found, "vpn_doctor_exporter_probes_total", result="forbidden") == [1.0]
    assert pick(found, "vpn_doctor_exporter_sessions_in_use") == [0.0]
    assert pick(found, "process_resident_memory_bytes")


def test_cli_bad_config_exit_17(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, "modules: {default: {username: a, password: x}}\n")
    assert main(["exporter", "--config", str(path)]) == 17
    err = capsys.readouterr().err
    assert "never accepted inline" in err and "Traceback" not in err


# ---- real probes against the mock --------------------------------------------------------------


@pytest.fixture
def mock_exporter(tmp_path: Path) -> Iterator[ExporterServer]:
    config = load_exporter_config(EXAMPLE)
    exporter = Exporter(config, environ={"VPN_DOCTOR_PASSWORD": "cisco123"}, log=lambda s: None)
    server = start_server(exporter, "127.0.0.1:0")
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.e2e
def test_probe_of_the_mock_names_every_tunnel(
    mock_exporter: ExporterServer, mock_asa: MockFactory
) -> None:
    mock = mock_asa("code_IPSEC_ONE_WAY")
    status, body = get(mock_exporter, f"/probe?target=127.0.0.1:{mock.port}", "20")
    assert status == 200, body
    found = samples(body)
    assert pick(found, "vpn_doctor_probe_success") == [1.0]
    assert pick(found, "vpn_doctor_tunnel_up", peer="203.0.113.26", ike_version="ikev1") == [1.0]
    assert pick(found, "vpn_doctor_tunnel_up", peer="192.0.2.50") == [1.0]
    assert pick(found, "vpn_doctor_tunnel_finding", peer="203.0.113.26", code="IPSEC_ONE_WAY")
    decaps = pick(
        found,
        "vpn_doctor_ipsec_packets_decaps_total",
        peer="203.0.113.26",
        local_ts="10.1.1.0/24",
        remote_ts="10.2.26.0/24",
    )
    assert decaps == [0.0]
    assert not [key for key in found if ("host", mock.host) in key[1]], "no host label"
    # with peer=, only that tunnel, and the ASA filters the IPsec output for it
    status, body = get(mock_exporter, f"/probe?target=127.0.0.1:{mock.port}&peer=192.0.2.50")
    assert status == 200
    peers = {
        dict(labels)["peer"]
        for name, labels in samples(body)
        if name.startswith("vpn_doctor_tunnel_up")
    }
    assert peers == {"192.0.2.50"}
    assert "show crypto ipsec sa peer 192.0.2.50" in mock.commands()


@pytest.mark.e2e
def test_probe_failures_are_success_zero(
    mock_exporter: ExporterServer, mock_asa: MockFactory
) -> None:
    status, body = get(mock_exporter, f"/probe?target=127.0.0.1:{unreachable_port()}")
    assert status == 200
    assert pick(samples(body), "vpn_doctor_probe_status", status="unreachable") == [1.0]
    wrong = mock_asa("healthy", credentials={"username": "admin", "password": "other"})
    status, body = get(mock_exporter, f"/probe?target=127.0.0.1:{wrong.port}")
    found = samples(body)
    assert pick(found, "vpn_doctor_probe_success") == [0.0]
    assert pick(found, "vpn_doctor_probe_status", status="auth_failed") == [1.0]


# ---- the probe's metric families (Contract 5), offline ----------------------------------------


def test_probe_families_follow_contract_5() -> None:
    from prometheus_client import generate_latest

    from mock_device import load_scenario
    from vpn_doctor.fleet.expectations import evaluate
    from vpn_doctor.fleet.probe_metrics import probe_families
    from vpn_doctor.fleet.prometheus import registry_of
    from vpn_doctor.parse.device import parse_snapshot

    from helpers import scenario_snapshot

    state = parse_snapshot(scenario_snapshot(load_scenario("code_IPSEC_ONE_WAY")))
    outcome = ProbeOutcome("ok", 1.25, health=evaluate(state, None), state=state)
    text = generate_latest(registry_of(probe_families(outcome))).decode()
    found = samples(text)
    names = {name for name, _ in found}
    for name in (
        "vpn_doctor_probe_success",
        "vpn_doctor_probe_duration_seconds",
        "vpn_doctor_device_role",
        "vpn_doctor_tunnel_up",
        "vpn_doctor_tunnel_phase1_state",
        "vpn_doctor_tunnel_phase2_sas",
        "vpn_doctor_ipsec_packets_encaps_total",
        "vpn_doctor_ipsec_packets_decaps_total",
        "vpn_doctor_ipsec_errors_total",
        "vpn_doctor_tunnel_finding",
    ):
        assert name in names, name
    tunnel = {"peer", "name", "ike_version"}
    for (name, labels), _ in found.items():
        keys = {key for key, _ in labels}
        assert "host" not in keys
        if name.startswith("vpn_doctor_tunnel_"):
            assert tunnel <= keys, (name, keys)
        if name.startswith("vpn_doctor_ipsec_"):
            assert tunnel | {"local_ts", "remote_ts"} <= keys, (name, keys)
    assert pick(found, "vpn_doctor_probe_duration_seconds") == [1.25]
    assert pick(found, "vpn_doctor_ipsec_errors_total", peer="203.0.113.26", direction="recv")
    assert pick(found, "vpn_doctor_tunnel_phase1_state", peer="203.0.113.26", state="MM_ACTIVE")
    assert "# TYPE vpn_doctor_ipsec_packets_encaps_total counter" in text

"""Every real device output in ../shared/real-outputs, read as `diagnose --from-log` reads it.

Why: the parsers were written from the same understanding as the mock that renders their
test fixtures; these files were not. Each one is what an engineer pastes (indentation lost,
prompts of failover pairs, markdown, cut captures), and tests/data/real_outputs_expected.yaml
holds, per file, the values an engineer reads off it by eye. A file that cannot be read fully
must come out PARTIAL with the values it does show, never as "no SA" or with invented peers.

The directory lives beside the clone (CI checks ../shared out next to it; a worktree one
folder deeper finds it one level up); set VPN_DOCTOR_REAL_OUTPUTS to read it from elsewhere.
Missing, the tests fail with a message saying where they looked: they never skip.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from vpn_doctor.collect.terminal_log import read_terminal_log
from vpn_doctor.diagnose.messages import extract_peer
from vpn_doctor.errors import SnapshotError
from vpn_doctor.models import ParseResult, Snapshot
from vpn_doctor.parse.config.sections import parse_crypto_config
from vpn_doctor.parse.ipsec import parse_ipsec_sa
from vpn_doctor.parse.isakmp import parse_isakmp_sa
from vpn_doctor.parse.sessiondb import parse_sessiondb_l2l

EXPECTED = Path(__file__).parent / "data" / "real_outputs_expected.yaml"
ENV = "VPN_DOCTOR_REAL_OUTPUTS"


def real_outputs_dir() -> Path:
    """$VPN_DOCTOR_REAL_OUTPUTS, else ../shared/real-outputs beside the clone (CI), else one
    level up (a git worktree kept in a folder beside the main clone)."""
    override = os.environ.get(ENV)
    if override:
        return Path(override)
    beside = Path(__file__).parents[2] / "shared" / "real-outputs"
    above = Path(__file__).parents[3] / "shared" / "real-outputs"
    return above if not beside.is_dir() and above.is_dir() else beside


def _expectations() -> dict[str, Any]:
    data = yaml.safe_load(EXPECTED.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _files() -> list[str]:
    root = real_outputs_dir()
    if not root.is_dir():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.txt"))


def test_real_outputs_directory_is_there() -> None:
    root = real_outputs_dir()
    assert root.is_dir(), (
        f"{root} not found: the real outputs live in ../shared/real-outputs beside the clone "
        f"(CI checks ../shared out there); or set {ENV} to the directory"
    )
    assert len(_files()) >= 60, f"{root}: expected the ~70 real outputs, found {len(_files())}"


def test_every_real_output_has_an_expectation() -> None:
    expected = _expectations()
    files = _files()
    assert files, f"{real_outputs_dir()} is missing or empty"
    assert sorted(set(files) - set(expected)) == [], "real outputs without an expectation"
    assert sorted(set(expected) - set(files)) == [], "expectations for files that do not exist"


Parser = Callable[[str, str], ParseResult[Any]]
_IKE_COMMANDS = ("show crypto isakmp sa", "show crypto ikev1 sa", "show crypto ikev2 sa")


def parser_for(command: str) -> Parser | None:
    """The SA parser for a canonical command, None for an output vpn-doctor keeps only."""
    if command.startswith(
        ("show crypto isakmp sa", "show crypto ikev1 sa", "show crypto ikev2 sa")
    ):
        return parse_isakmp_sa
    if command.startswith("show crypto ipsec sa"):
        return parse_ipsec_sa
    if command.startswith("show vpn-sessiondb detail l2l"):
        return parse_sessiondb_l2l
    return None


def plain(value: Any) -> Any:
    """Models to YAML-comparable values: dataclasses to dicts, tuples to lists, ProxyId str."""
    if is_dataclass(value) and not isinstance(value, type):
        if {f.name for f in fields(value)} == {"address", "mask", "protocol", "port"}:
            return str(value)
        return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def mismatches(expected: Any, actual: Any, where: str) -> Iterator[str]:
    """Differences between an expectation (a subset) and the model's values."""
    if isinstance(expected, dict) and set(expected) == {"count"}:
        count = len(actual) if isinstance(actual, list) else None
        if count != expected["count"]:
            yield f"{where}: expected {expected['count']} item(s), got {count}"
        return
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            yield f"{where}: expected a record, got {actual!r}"
            return
        for key, value in expected.items():
            if key not in actual:
                yield f"{where}.{key}: no such field"
                continue
            yield from mismatches(value, actual[key], f"{where}.{key}")
        return
    if isinstance(expected, list) and (not expected or isinstance(expected[0], dict)):
        if not isinstance(actual, list) or len(actual) != len(expected):
            got = len(actual) if isinstance(actual, list) else actual
            yield f"{where}: expected {len(expected)} record(s), got {got}"
            return
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            yield from mismatches(want, got, f"{where}[{index}]")
        return
    if isinstance(expected, list) and isinstance(actual, list):
        actual = [str(item) if not isinstance(item, list) else item for item in actual]
        expected = [str(item) if not isinstance(item, list) else item for item in expected]
    elif isinstance(expected, (int, float)) and not isinstance(expected, bool):
        pass
    elif expected is not None and not isinstance(expected, bool):
        expected, actual = str(expected), (None if actual is None else str(actual))
    if expected != actual:
        yield f"{where}: expected {expected!r}, got {actual!r}"


_SYSLOG_ID = re.compile(r"%(?:ASA|PIX|FTD)-(?:[a-z]+-)?\d-(\d{6})")
_RECORDS = {"ike": "ike", "ipsec": "ipsec", "sessions": "sessions"}


def check_file(name: str, expectation: dict[str, Any]) -> list[str]:
    """Every way the reading of ``name`` differs from what an engineer reads (empty: right)."""
    path = real_outputs_dir() / name
    refused = expectation.get("refused")
    try:
        snapshot = read_terminal_log(path)
    except SnapshotError as exc:
        if refused and refused in str(exc):
            return []
        return [f"not read: {exc}"]
    if refused:
        invented = [f"invented {c!r}" for c in snapshot.outputs if parser_for(c) is not None]
        return [f"expected a refusal naming {refused!r}: {list(snapshot.outputs)}", *invented]
    problems: list[str] = []
    problems += _check_outputs(snapshot, expectation.get("outputs", {}))
    if "debug" in expectation:
        problems += _check_debug(snapshot, expectation["debug"])
    if "config" in expectation:
        problems += _check_config(snapshot, expectation["config"])
    for secret in expectation.get("secrets", []):
        kept = [*snapshot.outputs.values(), *snapshot.debug_lines]
        if any(secret in text for text in kept):
            problems.append(f"secret {secret!r} kept in what was read")
    return problems


def _check_outputs(snapshot: Snapshot, expected: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    # An SA output nobody expects is an invented one.
    for command in snapshot.outputs:
        if parser_for(command) is not None and command not in expected:
            problems.append(f"unexpected output {command!r}")
    for command, want in expected.items():
        if command not in snapshot.outputs:
            problems.append(f"{command!r} not found (outputs: {list(snapshot.outputs)})")
            continue
        parser = parser_for(command)
        if want.get("status") == "not_read":
            if parser is not None:
                problems.append(f"{command!r}: expected an output that is not read")
            continue
        assert parser is not None, command
        result = parser(snapshot.outputs[command], command)
        if result.status.value != want["status"]:
            problems.append(
                f"{command!r}: status {result.status.value}, expected {want['status']} "
                f"(warnings: {list(result.warnings)[:3]})"
            )
        for key in ("ike", "ipsec", "sessions"):
            if key in want:
                problems += list(mismatches(want[key], plain(list(result.records)), command))
    return problems


def _check_debug(snapshot: Snapshot, want: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    lines = snapshot.debug_lines
    if "lines" in want and len(lines) != want["lines"]:
        problems.append(f"debug: {len(lines)} line(s), expected {want['lines']}")
    if "ids" in want:
        ids = sorted({m.group(1) for line in lines for m in _SYSLOG_ID.finditer(line)})
        if ids != sorted(want["ids"]):
            problems.append(f"debug ids {ids}, expected {sorted(want['ids'])}")
    if "peers" in want:
        peers = sorted({p for line in lines if (p := extract_peer(line))})
        if peers != sorted(str(p) for p in want["peers"]):
            problems.append(f"debug peers {peers}, expected {sorted(want['peers'])}")
    for text in want.get("contains", []):
        if not any(text in line for line in lines):
            problems.append(f"debug: no line with {text!r}")
    return problems


def _check_config(snapshot: Snapshot, want: dict[str, Any]) -> list[str]:
    config = parse_crypto_config(
        {
            ("show running-config tunnel-group" if "| begin tunnel-group" in k else k): v
            for k, v in snapshot.outputs.items()
        }
    )
    problems: list[str] = []
    for key, value in want.items():
        if key == "status":
            got = {command: status.value for command, status in config.status.items()}
            problems += list(mismatches(value, got, "config.status"))
        elif key == "packet_trace":
            traces = list(config.packet_traces.values())
            if len(traces) != 1:
                problems.append(f"expected one packet-tracer output, got {len(traces)}")
                continue
            trace = traces[0]
            first_drop = trace.first_drop
            actual = {
                **plain(trace),
                "phases": len(trace.phases),
                "encrypts": trace.encrypts,
                "first_drop": first_drop.number if first_drop else None,
            }
            problems += list(mismatches(value, actual, "packet_trace"))
        else:
            problems += list(mismatches(value, plain(getattr(config, key)), f"config.{key}"))
    return problems


@pytest.mark.parametrize("name", sorted(_expectations()))
def test_real_output(name: str) -> None:
    assert real_outputs_dir().is_dir(), f"{real_outputs_dir()} not found (see module docstring)"
    problems = check_file(name, _expectations()[name])
    assert not problems, "\n".join([name, *problems])


def test_ezvpn_client_sa_is_listed_apart_not_walked_as_l2l() -> None:
    """A real EzVPN client capture (`_vpnc_cm` map): no site-to-site tunnel is invented."""
    from vpn_doctor.collect.terminal_log import read_terminal_log
    from vpn_doctor.diagnose.engine import diagnose
    from vpn_doctor.parse.device import parse_snapshot

    path = real_outputs_dir() / "ipsec_sa" / "pastebin_f2iKYxp1_ezvpn_client_vpnc_cm.txt"
    report = diagnose(parse_snapshot(read_terminal_log(path)))
    assert report.tunnels == ()
    assert any("remote-access / EzVPN" in note for note in report.notes)
    assert any("no site-to-site tunnel" in note for note in report.notes)

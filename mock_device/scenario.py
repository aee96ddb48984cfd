"""Load and validate mock scenarios (mock_device/scenarios/*.yaml) once, up front.

Why: a typo in a scenario should fail at load time with the file and line named, not
surface minutes later as a confusing netmiko timeout. Everything the server needs is
resolved here into frozen dataclasses; the format is documented in mock_device/README.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mock_device.render import TunnelSpec, parse_tunnel_specs
from vpn_doctor.errors import ScenarioError
from vpn_doctor.yaml_lines import parse_with_lines

SCENARIOS_DIR = Path(__file__).resolve().parent / "scenarios"

_TOP_KEYS = frozenset(
    {
        "name", "description", "hostname", "version", "credentials", "start_privileged",
        "delay_ms", "expect", "commands", "tunnels", "debug", "logging_buffer",
        "why", "notes",  # free text for the humans and tests; the mock ignores them
        "model",  # derived outputs: mock_device/negotiation (explicit `commands:` win)
        "debug_at_start",  # debug left on by an earlier session: {levels: {}, conditions: []}
        "ssh",  # SSH server algorithms and authorized keys: see SshSpec
        "device_type",  # asa (default) | ftd: land at FTD's `>`, system support diagnostic-cli
        "contexts",  # multi-context: {NAME: {commands:, tunnels:, logging_buffer:}}
    }
)  # fmt: skip
_DEBUG_KEYS = frozenset({"peer", "interval_ms", "repeat", "lines", "drop_after_lines"})
_CRED_KEYS = frozenset({"username", "password", "enable"})
_CONTEXT_KEYS = frozenset({"description", "commands", "tunnels", "logging_buffer"})
DEVICE_TYPES = ("asa", "ftd")


@dataclass(frozen=True)
class Credentials:
    """SSH login (username/password) and the enable secret the mock accepts."""

    username: str = "admin"
    password: str = "cisco123"
    enable: str = "cisco123"


_SSH_KEYS = frozenset(
    {"kex_algs", "server_host_key_algs", "encryption_algs", "mac_algs", "authorized_keys"}
)


@dataclass(frozen=True)
class SshSpec:
    """The SSH server as the device offers it (README: `ssh:`); empty = asyncssh defaults.

    Algorithm lists go to asyncssh as is (``legacy_ssh``: only SHA-1 key exchanges, ssh-rsa
    and aes-cbc, as an ASA 8.x does); with ``ssh-rsa`` as the only host key algorithm the
    mock's host key is RSA. ``authorized_keys`` are OpenSSH public key lines accepted for
    the scenario's user in addition to its password.
    """

    kex_algs: tuple[str, ...] = ()
    server_host_key_algs: tuple[str, ...] = ()
    encryption_algs: tuple[str, ...] = ()
    mac_algs: tuple[str, ...] = ()
    authorized_keys: tuple[str, ...] = ()

    @property
    def legacy_only(self) -> bool:
        """Only SHA-1 key exchanges offered: a client needs ``--legacy-ssh`` to log in."""
        return bool(self.kex_algs) and all(alg.endswith("-sha1") for alg in self.kex_algs)


@dataclass(frozen=True)
class DebugSpec:
    """What `debug crypto isakmp N` streams (see README: `debug:`)."""

    lines: tuple[str, ...]
    peer: str | None = None
    interval_ms: int = 50
    repeat: bool = True
    drop_after_lines: int | None = None


@dataclass(frozen=True)
class Scenario:
    """One mock device: identity, credentials, canned outputs, tunnels and debug stream."""

    name: str
    description: str = ""
    hostname: str = "ciscoasa"
    version: str = "9.12(4)"
    credentials: Credentials = field(default_factory=Credentials)
    start_privileged: bool = False
    delay_ms: int = 0
    expect: Mapping[str, Any] = field(default_factory=dict)
    commands: Mapping[str, str] = field(default_factory=dict)
    tunnels: tuple[TunnelSpec, ...] | None = None  # None: no `tunnels:` key at all
    debug: DebugSpec | None = None
    logging_buffer: tuple[str, ...] = ()
    # Debug already on when the mock starts (left by an earlier session, as on a real box):
    # facility ("ikev1", "ikev2 protocol", ...) -> level, and `debug crypto condition` peers.
    debug_levels_at_start: Mapping[str, int] = field(default_factory=dict)
    debug_conditions_at_start: tuple[str, ...] = ()
    ssh: SshSpec = field(default_factory=SshSpec)
    source: Path | None = None
    device_type: str = "asa"
    # Multi-context: security context name -> its own outputs (commands, tunnels, logging
    # buffer); the top-level ones are the system context's. Empty: single-context mode.
    contexts: Mapping[str, Scenario] = field(default_factory=dict)

    def replace(self, **changes: Any) -> Scenario:
        """A copy with some fields changed (per-device overrides in a fleet, tests)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str | Path = "<dict>") -> Scenario:
        """Build from an already-parsed mapping (tests build ad-hoc scenarios this way)."""
        return _build(data, str(source), {}, Path(source) if str(source) != "<dict>" else None)


def normalise_command(command: str) -> str:
    """Collapse whitespace so scenario keys and typed commands compare reliably."""
    return " ".join(command.split())


def scenario_names() -> list[str]:
    """Names of the scenarios shipped in mock_device/scenarios/."""
    return sorted(p.stem for p in SCENARIOS_DIR.glob("*.yaml"))


def shipped_scenarios() -> list[Scenario]:
    """Every shipped scenario, loaded (for `vpn-doctor mock --list` and parametrised tests)."""
    return [load_scenario(name) for name in scenario_names()]


def resolve_path(name_or_path: str | Path) -> Path:
    """A shipped scenario name (`healthy`) or a path to a YAML file."""
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or "/" in text or text.endswith((".yaml", ".yml")):
        return Path(name_or_path)
    return SCENARIOS_DIR / f"{text}.yaml"


def load_scenario(name_or_path: str | Path | Scenario) -> Scenario:
    """Load a scenario by shipped name or path; a Scenario is returned unchanged."""
    if isinstance(name_or_path, Scenario):
        return name_or_path
    path = resolve_path(name_or_path)
    if not path.is_file():
        known = ", ".join(scenario_names())
        raise ScenarioError(f"{path}: no such scenario file (shipped scenarios: {known})")
    try:
        text = path.read_text(encoding="utf-8")
        data, key_paths = parse_with_lines(text)
        lines = {str(p[0]): line for p, line in key_paths.items() if len(p) == 1}
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read: {exc}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(data, Mapping):
        raise ScenarioError(f"{path}: expected a mapping at the top level")
    data = dict(data)
    data.setdefault("name", path.stem)
    return _build(data, str(path), lines, path)


def _build(
    data: Mapping[str, Any], where: str, lines: Mapping[str, int], path: Path | None
) -> Scenario:
    def fail(key: str, message: str) -> ScenarioError:
        line = lines.get(key)
        at = f"{where}:{line}" if line else where
        return ScenarioError(f"{at}: {key}: {message}")

    unknown = sorted(set(map(str, data)) - _TOP_KEYS)
    if unknown:
        raise fail(unknown[0], f"unknown key (allowed: {', '.join(sorted(_TOP_KEYS))})")
    if data.get("model") is not None:
        from mock_device.negotiation.derive import merge_model  # imports render: keep lazy

        try:
            data = merge_model(data)
        except (ValueError, TypeError) as exc:
            raise fail("model", str(exc)) from None

    def get(key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        value = data.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) and kind in (int, str):
            raise fail(key, f"expected {kind}, got {value!r}")
        if not isinstance(value, kind):
            if kind is str and isinstance(value, (int, float)):
                return str(value)
            raise fail(key, f"expected {getattr(kind, '__name__', kind)}, got {value!r}")
        return value

    name = get("name", str, Path(where).stem)
    creds_raw = get("credentials", dict, {})
    if set(creds_raw) - _CRED_KEYS:
        raise fail("credentials", f"unknown key(s): {sorted(set(creds_raw) - _CRED_KEYS)}")
    creds = Credentials(**{k: str(v) for k, v in creds_raw.items()})
    delay = get("delay_ms", int, 0)
    if delay < 0:
        raise fail("delay_ms", "must be >= 0")

    commands: dict[str, str] = {}
    for key, value in get("commands", dict, {}).items():
        if not isinstance(value, str):
            raise fail("commands", f"{key!r}: output must be a string (use `|` block)")
        commands[normalise_command(str(key))] = value

    tunnels = None
    if "tunnels" in data:
        try:
            tunnels = parse_tunnel_specs(get("tunnels", list, []))
        except ValueError as exc:
            raise fail("tunnels", str(exc)) from None

    debug = None
    debug_raw = get("debug", dict, None)
    if debug_raw is not None:
        extra = set(debug_raw) - _DEBUG_KEYS
        if extra:
            raise fail("debug", f"unknown key(s): {sorted(extra)}")
        raw_lines = debug_raw.get("lines") or []
        if not isinstance(raw_lines, list) or not raw_lines:
            raise fail("debug", "lines: expected a non-empty list of strings")
        interval = debug_raw.get("interval_ms", 50)
        drop = debug_raw.get("drop_after_lines")
        if not isinstance(interval, int) or isinstance(interval, bool) or interval < 1:
            raise fail("debug", "interval_ms: expected a positive integer")
        if drop is not None and (not isinstance(drop, int) or drop < 1):
            raise fail("debug", "drop_after_lines: expected a positive integer or null")
        peer = debug_raw.get("peer")
        debug = DebugSpec(
            lines=tuple(str(x) for x in raw_lines),
            peer=str(peer) if peer is not None else None,
            interval_ms=interval,
            repeat=bool(debug_raw.get("repeat", True)),
            drop_after_lines=drop,
        )

    buffer = get("logging_buffer", list, [])
    expect = get("expect", dict, {})
    at_start = get("debug_at_start", dict, {})
    if set(at_start) - {"levels", "conditions"}:
        raise fail("debug_at_start", "only `levels` and `conditions` are known")
    levels = at_start.get("levels") or {}
    conditions = at_start.get("conditions") or []
    if not isinstance(levels, dict) or not all(
        isinstance(v, int) and 1 <= v <= 255 for v in levels.values()
    ):
        raise fail("debug_at_start", "levels: expected {facility: level 1-255}")
    if not isinstance(conditions, list):
        raise fail("debug_at_start", "conditions: expected a list of peer addresses")
    ssh_raw = get("ssh", dict, {})
    if set(ssh_raw) - _SSH_KEYS:
        raise fail("ssh", f"unknown key(s): {sorted(set(ssh_raw) - _SSH_KEYS)}")
    ssh_lists: dict[str, tuple[str, ...]] = {}
    for key, value in ssh_raw.items():
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail("ssh", f"{key}: expected a list of strings")
        ssh_lists[key] = tuple(value)
    device_type = get("device_type", str, "asa")
    if device_type not in DEVICE_TYPES:
        raise fail("device_type", f"expected one of {', '.join(DEVICE_TYPES)}")
    contexts: dict[str, Scenario] = {}
    for ctx_name, ctx_data in get("contexts", dict, {}).items():
        if not isinstance(ctx_data, dict) or set(ctx_data) - _CONTEXT_KEYS:
            raise fail("contexts", f"{ctx_name}: a mapping of {', '.join(sorted(_CONTEXT_KEYS))}")
        contexts[str(ctx_name)] = _build(
            {**ctx_data, "name": f"{name}/{ctx_name}", "hostname": get("hostname", str, "")},
            where,
            lines,
            path,
        )
    return Scenario(
        name=name,
        description=get("description", str, ""),
        hostname=get("hostname", str, "ciscoasa"),
        version=get("version", str, "9.12(4)"),
        credentials=creds,
        start_privileged=bool(get("start_privileged", bool, False)),
        delay_ms=delay,
        expect=dict(expect),
        commands=commands,
        tunnels=tunnels,
        debug=debug,
        logging_buffer=tuple(str(x) for x in buffer),
        debug_levels_at_start={str(k): int(v) for k, v in levels.items()},
        debug_conditions_at_start=tuple(str(c) for c in conditions),
        ssh=SshSpec(**ssh_lists),
        source=path,
        device_type=device_type,
        contexts=contexts,
    )

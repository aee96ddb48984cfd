"""The configuration file of `vpn-doctor exporter` (Contract 5): modules and allowed targets.

Why modules, as in blackbox_exporter and snmp_exporter: Prometheus says *which* device to probe
(``target``) and *how* (``module``); the how (username, where the secrets are, SSH options)
stays on the exporter host, so a scrape config never carries a credential. Why target
patterns: an exporter that logs into whatever ``target`` it is handed, with a real password,
would let anyone who can reach its port point that password at a host of their choosing.
Every target must match one pattern (``fnmatch`` against ``HOST`` and ``HOST:PORT``, or an
IP network such as ``10.0.0.0/8``); the rest get 403. The file::

    listen: 127.0.0.1:9790           # --listen overrides
    max_concurrent_probes: 16        # SSH sessions at once over all targets
    default_scrape_timeout: 30       # seconds, when the X-Prometheus-Scrape-Timeout-Seconds
                                     # header is missing
    timeout_offset: 0.5              # seconds kept back to answer before Prometheus gives up
    targets: ["127.0.0.1:*", 10.0.0.0/8, "fw-*.example.net"]
    modules:
      default:                       # used when the scrape gives no module=
        username: admin
        password_env: VPN_DOCTOR_PASSWORD    # or password_file: (path, first line)
        secret_env: VPN_DOCTOR_PASSWORD      # or secret_file:; none = the ASA login command
        port: 22                     # when the target names none
        timeout: 10                  # connect/login; each command up to 3x (scrape-capped)
        device_type: asa             # asa | ftd
        context: null                # multi-context: the context to diagnose
        legacy_ssh: false            # permit SHA-1 kex / ssh-rsa host keys of old images
        jump_host: null              # [USER@]HOST[:PORT]
        strict_host_key: false
        known_hosts: null            # path

Secrets are never accepted inline (``password:``/``secret:`` are refused). Options the SSH
driver of this build does not implement yet (``legacy_ssh``, ``jump_host``, ``device_type:
ftd``, ``context``) are passed through to it when it has them, else refused at load time
with a message saying so: a probe that silently ignored them would log in differently from
what the file says.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vpn_doctor import yaml_lines
from vpn_doctor.collect.credentials import CredentialSources
from vpn_doctor.errors import ExporterConfigError

DEFAULT_LISTEN = "127.0.0.1:9790"
DEFAULT_MODULE = "default"
_TOP_KEYS = frozenset(
    {
        "listen",
        "max_concurrent_probes",
        "default_scrape_timeout",
        "timeout_offset",
        "targets",
        "modules",
    }
)
_MODULE_KEYS = frozenset(
    {
        "username",
        "password_env",
        "password_file",
        "secret_env",
        "secret_file",
        "port",
        "timeout",
        "device_type",
        "context",
        "legacy_ssh",
        "jump_host",
        "strict_host_key",
        "known_hosts",
    }
)
_SECRET_KEYS = frozenset({"password", "secret", "enable", "enable_secret"})
_DEVICE_TYPES = frozenset({"asa", "ftd"})
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.\-_]{0,252})")
_JUMP = re.compile(r"(?:[A-Za-z0-9._\-]+@)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.\-_]+)(?::\d{1,5})?")


@dataclass(frozen=True)
class ProbeModule:
    """How to log into the targets probed with ``module=NAME``. ``passthrough`` holds the
    driver options set in the file (legacy_ssh, jump_host, device_type, context) by the
    ConnectionSettings field name that takes them."""

    name: str
    username: str
    credentials: CredentialSources = field(default_factory=CredentialSources)
    port: int = 22
    timeout: float = 10.0
    strict_host_key: bool = False
    known_hosts: Path | None = None
    passthrough: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExporterConfig:
    modules: Mapping[str, ProbeModule]
    targets: tuple[str, ...]
    listen: str = DEFAULT_LISTEN
    max_concurrent_probes: int = 16
    default_scrape_timeout: float = 30.0
    timeout_offset: float = 0.5
    source: str = ""

    def allows(self, host: str, port: int) -> bool:
        """True when ``host:port`` matches one of the target patterns."""
        address = _ip(host)
        for pattern in self.targets:
            network = _network(pattern)
            if network is not None:
                if address is not None and address in network:
                    return True
            elif fnmatch.fnmatchcase(host, pattern) or fnmatch.fnmatchcase(
                f"{host}:{port}", pattern
            ):
                return True
        return False


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    if "/" not in text:
        return None
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def driver_options() -> frozenset[str]:
    """The ConnectionSettings fields of this build's SSH driver (what can be passed through)."""
    from vpn_doctor.collect.driver import ConnectionSettings

    return frozenset(f.name for f in dataclasses.fields(ConnectionSettings))


class _Reader:
    """Typed access to the loaded YAML with errors that name the file and the key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> ExporterConfigError:
        return ExporterConfigError(f"{self.path}: {where}: {message}")

    def number(self, raw: Mapping[str, Any], key: str, where: str, default: float) -> float:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise self.fail(f"{where}{key}", f"must be a number > 0, got {value!r}")
        return float(value)

    def text(self, raw: Mapping[str, Any], key: str, where: str) -> str | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, (str, int)) or isinstance(value, bool) or str(value) == "":
            raise self.fail(f"{where}{key}", f"must be a non-empty string, got {value!r}")
        return str(value)

    def flag(self, raw: Mapping[str, Any], key: str, where: str) -> bool:
        value = raw.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"{where}{key}", f"must be true or false, got {value!r}")
        return value


def _module(reader: _Reader, name: str, raw: Any, supported: frozenset[str]) -> ProbeModule:
    where = f"modules.{name}."
    if not isinstance(raw, dict):
        raise reader.fail(f"modules.{name}", "must be a mapping of options")
    secrets = sorted(_SECRET_KEYS & set(raw))
    if secrets:
        raise reader.fail(
            f"{where}{secrets[0]}",
            "secrets are never accepted inline: use password_env/password_file "
            "(secret_env/secret_file) to point at an environment variable or a file",
        )
    unknown = sorted(set(raw) - _MODULE_KEYS)
    if unknown:
        raise reader.fail(
            f"{where}{unknown[0]}", f"unknown option (known: {', '.join(sorted(_MODULE_KEYS))})"
        )
    username = reader.text(raw, "username", where)
    if not username:
        raise reader.fail(f"{where}username", "is required")
    port = raw.get("port", 22)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise reader.fail(f"{where}port", f"must be 1-65535, got {port!r}")
    refs: dict[str, Any] = {}
    for key in ("password_env", "password_file", "secret_env", "secret_file"):
        value = reader.text(raw, key, where)
        if value is not None:
            refs[key] = (
                (reader.path.parent / value).expanduser() if key.endswith("_file") else value
            )
    known_hosts = reader.text(raw, "known_hosts", where)
    passthrough = _passthrough(reader, raw, where, supported)
    return ProbeModule(
        name=name,
        username=username,
        credentials=CredentialSources(**refs),
        port=port,
        timeout=reader.number(raw, "timeout", where, 10.0),
        strict_host_key=reader.flag(raw, "strict_host_key", where),
        known_hosts=(reader.path.parent / known_hosts).expanduser() if known_hosts else None,
        passthrough=passthrough,
    )


def _passthrough(
    reader: _Reader, raw: Mapping[str, Any], where: str, supported: frozenset[str]
) -> dict[str, Any]:
    """The driver options set in the module, each checked against what the driver takes."""
    wanted: dict[str, Any] = {}
    device_type = reader.text(raw, "device_type", where) or "asa"
    if device_type not in _DEVICE_TYPES:
        raise reader.fail(f"{where}device_type", f"must be asa or ftd, got {device_type!r}")
    if device_type != "asa":
        wanted["device_type"] = device_type
    if reader.flag(raw, "legacy_ssh", where):
        wanted["legacy_ssh"] = True
    jump = reader.text(raw, "jump_host", where)
    if jump is not None:
        if not _JUMP.fullmatch(jump):
            raise reader.fail(f"{where}jump_host", f"must be [USER@]HOST[:PORT], got {jump!r}")
        wanted["jump_host"] = jump
    context = reader.text(raw, "context", where)
    if context is not None:
        wanted["context"] = context
    for key in wanted:
        if key not in supported:
            raise reader.fail(
                f"{where}{key}",
                "not supported by the SSH driver of this vpn-doctor build yet; remove it "
                "or upgrade (it is never ignored silently)",
            )
    return wanted


def load_exporter_config(
    path: str | Path, supported: frozenset[str] | None = None
) -> ExporterConfig:
    """Load and validate the exporter configuration; ExporterConfigError (exit 17) if bad.

    ``supported`` is the set of driver options that can be passed through (default: the
    fields of this build's ConnectionSettings).
    """
    source = Path(path)
    reader = _Reader(source)
    try:
        raw = yaml_lines.load(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ExporterConfigError(f"exporter configuration not found: {source}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ExporterConfigError(f"cannot read {source}: {exc.__class__.__name__}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ExporterConfigError(f"{source}{line}: not valid YAML") from None
    if not isinstance(raw, dict):
        raise ExporterConfigError(f"{source}: must be a mapping with modules: and targets:")
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise reader.fail(unknown[0], f"unknown key (known: {', '.join(sorted(_TOP_KEYS))})")
    modules_raw = raw.get("modules")
    if not isinstance(modules_raw, dict) or not modules_raw:
        raise reader.fail("modules", "give at least one module (credentials and options)")
    allowed = supported if supported is not None else driver_options()
    modules = {str(n): _module(reader, str(n), m, allowed) for n, m in modules_raw.items()}
    targets = raw.get("targets")
    if (
        not isinstance(targets, list)
        or not targets
        or not all(isinstance(t, str) and t for t in targets)
    ):
        raise reader.fail(
            "targets",
            "list the target patterns the exporter may log into (HOST, HOST:PORT with "
            "shell wildcards, or an IP network); '*' allows any",
        )
    concurrent = raw.get("max_concurrent_probes", 16)
    if isinstance(concurrent, bool) or not isinstance(concurrent, int) or concurrent < 1:
        raise reader.fail("max_concurrent_probes", f"must be an integer >= 1, got {concurrent!r}")
    listen = reader.text(raw, "listen", "") or DEFAULT_LISTEN
    try:
        parse_listen(listen)
    except ExporterConfigError as exc:
        raise reader.fail("listen", exc.message) from None
    return ExporterConfig(
        modules=modules,
        targets=tuple(targets),
        listen=listen,
        max_concurrent_probes=concurrent,
        default_scrape_timeout=reader.number(raw, "default_scrape_timeout", "", 30.0),
        timeout_offset=float(raw.get("timeout_offset", 0.5) or 0.0),
        source=str(source),
    )


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` or ``[V6]:PORT`` -> (host, port); ExporterConfigError if malformed."""
    match = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\]:(\d{1,5})|([^:\[\]]+):(\d{1,5})", text.strip())
    if not match:
        raise ExporterConfigError(f"listen address must be HOST:PORT, got {text!r}")
    host = match.group(1) or match.group(3)
    port = int(match.group(2) or match.group(4))
    if not 0 <= port < 65536:
        raise ExporterConfigError(f"listen port must be 0-65535, got {port}")
    return host, port


def parse_target(text: str, default_port: int) -> tuple[str, int]:
    """``HOST``, ``HOST:PORT``, ``V6`` or ``[V6]:PORT`` -> (host, port); ValueError if bad."""
    text = text.strip()
    bracket = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?", text)
    if bracket:
        host, port_text = bracket.group(1), bracket.group(2)
    elif text.count(":") > 1:
        host, port_text = text, None  # a bare IPv6 address
    else:
        host, _, port_text = text.partition(":")
        port_text = port_text or None
        if text.endswith(":"):
            raise ValueError("empty port")
    if ":" in host:
        if _ip(host) is None:
            raise ValueError(f"not an IPv6 address: {host}")
    elif not _HOST.fullmatch(host) or host.endswith((".", "-")):
        raise ValueError(f"not a host name or address: {host!r}")
    port = int(port_text) if port_text else default_port
    if not 0 < port < 65536:
        raise ValueError(f"port must be 1-65535, got {port}")
    return host, port

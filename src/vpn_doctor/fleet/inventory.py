"""The fleet inventory for `vpn-doctor check`: Nornir SimpleInventory files, validated once.

Why Nornir's format: teams that run a scheduled check usually already keep a Nornir (or
Ansible-like) hosts file; the same file, with our expectations under ``data.vpn_doctor``,
should work unchanged. The hosts file is a mapping ``name -> host``::

    fw1:
      hostname: 192.0.2.1            # default: the name itself
      port: 22
      username: netops               # else groups, defaults, --username, $VPN_DOCTOR_USERNAME
      platform: cisco_asa            # other platforms are skipped (mixed inventories)
      groups: [asa, dc1]
      data:
        password_env: FW1_PASSWORD   # or password_file: (path, first line; relative to this file)
        secret_env: FW1_ENABLE       # or secret_file:; none = the ASA `login` command
        vpn_doctor:
          tunnels:                   # absent = check every tunnel found; [] = expect none
            - peer: 203.0.113.9
              name: branch-9         # label; also matched when the ASA prints peers by name
              proxies: [[10.10.0.0/24, 10.20.0.0/24]]
              profile: aws           # compare with a built-in peer profile
              redundancy_group: aws-vpc1

Groups (``--groups``) and defaults (``--defaults``) files follow Nornir: a host inherits
each field from its groups (in order, depth first, nested groups included), then from the
defaults; ``data`` keys are inherited one by one (``data.vpn_doctor`` as a whole).

Passwords are never accepted in an inventory (files like this get committed): a ``password``
or ``secret`` value anywhere is refused with an error pointing at the file reference or
environment variable to use instead. Every error names the file, the line and the host
(:class:`~vpn_doctor.errors.InventoryError`, exit 17), so a cron job fails before it
connects to anything rather than half-way.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml

from vpn_doctor.collect.credentials import (
    PASSWORD_ENV,
    SECRET_ENV,
    CredentialSources,
    read_reference,
)
from vpn_doctor.diagnose.profiles import available_profiles
from vpn_doctor.errors import InputError, InventoryError
from vpn_doctor.fleet.defaults import USERNAME_ENV as USERNAME_ENV
from vpn_doctor.yaml_lines import error_line, parse_with_lines

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

ASA_PLATFORMS = frozenset({"cisco_asa", "asa", "cisco_asa_ssh"})
_HOST_KEYS = frozenset(
    {"hostname", "port", "username", "platform", "groups", "data", "connection_options"}
)
_SECRET_KEYS = frozenset({"password", "secret", "enable", "enable_secret"})
_CRED_KEYS = ("password_env", "password_file", "secret_env", "secret_file")
# How to reach the host (ConnectionSettings fields; docs/ssh.md): per host, group or defaults.
_TRANSPORT_KEYS = {
    "ssh_key": "path",
    "ssh_config": "path",
    "jump_host": "str",
    "legacy_ssh": "bool",
    "ssh_agent": "bool",
    "device_type": "str",
}
_SECTION_KEYS = frozenset({"tunnels", "enabled", "context", "contexts", *_TRANSPORT_KEYS})
# A security context name as the ASA accepts it (the allowlist checks it again).
_CONTEXT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_TUNNEL_KEYS = frozenset({"peer", "name", "proxies", "profile", "redundancy_group"})


@dataclass(frozen=True)
class ExpectedTunnel:
    """One tunnel the inventory says must exist on a host."""

    peer: str
    name: str = ""
    proxies: tuple[tuple[Network, Network], ...] = ()
    profile: str | None = None
    redundancy_group: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.peer


@dataclass(frozen=True)
class InventoryHost:
    """A host after inheritance and validation: everything a check needs except secrets."""

    name: str
    hostname: str
    port: int
    username: str
    platform: str
    groups: tuple[str, ...] = ()
    credentials: CredentialSources = field(default_factory=CredentialSources)
    tunnels: tuple[ExpectedTunnel, ...] | None = None  # None: no expectations, check all found
    # ConnectionSettings overrides from data.vpn_doctor (ssh_key, jump_host, legacy_ssh, ...)
    transport: Mapping[str, Any] = field(default_factory=dict)
    # Multi-context: the security contexts to check (data.vpn_doctor.context / contexts),
    # all over one SSH session; empty: the context the login lands in.
    contexts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Inventory:
    hosts: tuple[InventoryHost, ...]
    skipped: tuple[str, ...] = ()  # other platforms, or data.vpn_doctor.enabled: false
    source: str = ""


# ---- YAML with line numbers ------------------------------------------------------------------


@dataclass(frozen=True)
class _Doc:
    """A loaded YAML file plus the line of every mapping key (by path), for error messages."""

    path: Path
    data: dict[str, Any]
    lines: dict[tuple[str | int, ...], int]

    def fail(self, where: tuple[str | int, ...], message: str, host: str | None = None) -> NoReturn:
        line = None
        for depth in range(len(where), 0, -1):
            line = self.lines.get(where[:depth])
            if line is not None:
                break
        at = f"{self.path}:{line}" if line else str(self.path)
        who = f" host {host}:" if host else ""
        raise InventoryError(f"{at}:{who} {message}")


def _load_yaml(path: Path, what: str) -> _Doc:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InventoryError(f"{what} not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InventoryError(f"cannot read {what} {path}: {exc}") from None

    def duplicate(key: str, line: int) -> None:
        raise InventoryError(f"{path}:{line}: duplicate key {key!r}")

    try:
        data, lines = parse_with_lines(text, on_duplicate=duplicate)
    except yaml.YAMLError as exc:
        number = error_line(exc)
        line = f":{number}" if number is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InventoryError(f"{path}{line}: not valid YAML: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InventoryError(f"{path}: {what} must be a mapping of names to entries")
    return _Doc(path, data, lines)


# ---- validation helpers ----------------------------------------------------------------------


def _refuse_secrets(doc: _Doc, value: Any, where: tuple[str | int, ...], host: str | None) -> None:
    """A literal password anywhere in the file is an error: point at the safe alternatives."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if str(key).lower() in _SECRET_KEYS and item not in (None, ""):
                doc.fail(
                    (*where, str(key)),
                    f"'{key}' in an inventory is refused (inventories get committed): use "
                    f"data.password_env / data.password_file (data.secret_env / "
                    f"data.secret_file for the enable secret), --password-env, or "
                    f"${PASSWORD_ENV}",
                    host,
                )
            _refuse_secrets(doc, item, (*where, str(key)), host)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_secrets(doc, item, (*where, index), host)


def _str(doc: _Doc, value: Any, where: tuple[str | int, ...], host: str | None) -> str:
    if not isinstance(value, str) or not value.strip():
        doc.fail(where, f"{_dotted(where[1:])} must be a non-empty string", host)
    return value.strip()


def _dotted(where: tuple[str | int, ...]) -> str:
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "entry"


def _network(doc: _Doc, value: Any, where: tuple[str | int, ...], host: str) -> Network:
    text = str(value).strip() if isinstance(value, (str, int)) else ""
    if text.lower() in ("any", "any4"):
        text = "0.0.0.0/0"
    try:
        return ipaddress.ip_network(text.replace(" ", "/"), strict=True)
    except ValueError as exc:
        doc.fail(
            where, f"{_dotted(where[1:])}: {value!r} is not a network in CIDR form ({exc})", host
        )


def _ip(doc: _Doc, value: Any, where: tuple[str | int, ...], host: str) -> str:
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        doc.fail(where, f"{_dotted(where[1:])}: {value!r} is not an IP address", host)


def _tunnel(doc: _Doc, raw: Any, where: tuple[str | int, ...], host: str) -> ExpectedTunnel:
    if not isinstance(raw, Mapping):
        doc.fail(where, f"{_dotted(where[1:])} must be a mapping with at least 'peer'", host)
    unknown = sorted(set(map(str, raw)) - _TUNNEL_KEYS)
    if unknown:
        doc.fail(
            (*where, unknown[0]),
            f"unknown tunnel key(s) {unknown} (allowed: {', '.join(sorted(_TUNNEL_KEYS))})",
            host,
        )
    if "peer" not in raw:
        doc.fail(
            where, f"{_dotted(where[1:])}: 'peer' (the tunnel peer's IP address) is required", host
        )
    proxies: list[tuple[Network, Network]] = []
    raw_proxies = raw.get("proxies") or []
    if not isinstance(raw_proxies, list):
        doc.fail((*where, "proxies"), "proxies must be a list of [local_cidr, remote_cidr]", host)
    for index, pair in enumerate(raw_proxies):
        at = (*where, "proxies", index)
        if not isinstance(pair, list) or len(pair) != 2:
            doc.fail(at, f"{_dotted(at[1:])} must be [local_cidr, remote_cidr]", host)
        proxies.append((_network(doc, pair[0], at, host), _network(doc, pair[1], at, host)))
    profile = raw.get("profile")
    known = sorted(available_profiles())
    if profile is not None and str(profile) not in known:
        doc.fail(
            (*where, "profile"),
            f"unknown profile {profile!r} (known: {', '.join(known)}; add one under profiles/)",
            host,
        )
    group = raw.get("redundancy_group")
    return ExpectedTunnel(
        peer=_ip(doc, raw["peer"], (*where, "peer"), host),
        name=_str(doc, raw["name"], (*where, "name"), host) if raw.get("name") else "",
        proxies=tuple(proxies),
        profile=str(profile) if profile is not None else None,
        redundancy_group=_str(doc, group, (*where, "redundancy_group"), host) if group else None,
    )


def _tunnels(
    doc: _Doc, section: Any, where: tuple[str | int, ...], host: str
) -> tuple[tuple[ExpectedTunnel, ...] | None, bool]:
    """(expected tunnels or None, enabled) from a host's ``data.vpn_doctor``."""
    if section is None:
        return None, True
    if not isinstance(section, Mapping):
        doc.fail(where, "data.vpn_doctor must be a mapping (keys: tunnels, enabled)", host)
    unknown = sorted(set(map(str, section)) - _SECTION_KEYS)
    if unknown:
        doc.fail((*where, unknown[0]), f"unknown data.vpn_doctor key(s) {unknown}", host)
    enabled = section.get("enabled", True)
    if not isinstance(enabled, bool):
        doc.fail((*where, "enabled"), "data.vpn_doctor.enabled must be true or false", host)
    if "tunnels" not in section or section["tunnels"] is None:
        return None, enabled
    raw = section["tunnels"]
    if not isinstance(raw, list):
        doc.fail((*where, "tunnels"), "data.vpn_doctor.tunnels must be a list", host)
    tunnels = tuple(_tunnel(doc, item, (*where, "tunnels", i), host) for i, item in enumerate(raw))
    seen: dict[str, int] = {}
    for index, tunnel in enumerate(tunnels):
        if tunnel.peer in seen:
            doc.fail((*where, "tunnels", index), f"peer {tunnel.peer} is listed twice", host)
        seen[tunnel.peer] = index
    groups: dict[str, int] = {}
    for tunnel in tunnels:
        if tunnel.redundancy_group:
            groups[tunnel.redundancy_group] = groups.get(tunnel.redundancy_group, 0) + 1
    lonely = sorted(g for g, n in groups.items() if n < 2)
    if lonely:
        doc.fail(
            (*where, "tunnels"),
            f"redundancy_group {lonely[0]!r} has only one tunnel "
            "(a group needs at least two peers)",
            host,
        )
    return tunnels, enabled


def _transport(doc: _Doc, section: Any, where: tuple[str | int, ...], host: str) -> dict[str, Any]:
    """The ConnectionSettings overrides in a host's ``data.vpn_doctor`` (validated).

    Relative paths are relative to the inventory file, so a repository of inventory + keys
    works from any directory.
    """
    if not isinstance(section, Mapping):
        return {}
    found: dict[str, Any] = {}
    for key, kind in _TRANSPORT_KEYS.items():
        value = section.get(key)
        if value is None:
            continue
        at = (*where, key)
        if kind == "bool":
            if not isinstance(value, bool):
                doc.fail(at, f"data.vpn_doctor.{key} must be true or false", host)
        elif not isinstance(value, str) or not value.strip():
            doc.fail(at, f"data.vpn_doctor.{key} must be a non-empty string", host)
        if key == "device_type" and value not in ("asa", "ftd"):
            doc.fail(at, "data.vpn_doctor.device_type must be asa or ftd", host)
        if kind == "path":
            path = Path(str(value)).expanduser()
            value = path if path.is_absolute() else doc.path.parent / path
        found["allow_agent" if key == "ssh_agent" else key] = value
    return found


# ---- inheritance -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """One raw host/group entry with the file it came from (for error messages)."""

    doc: _Doc
    where: tuple[str | int, ...]
    raw: Mapping[str, Any]


def _entry(doc: _Doc, name: str, kind: str) -> _Entry:
    raw = doc.data.get(name)
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        doc.fail((name,), f"{kind} {name!r} must be a mapping", None)
    unknown = sorted(set(map(str, raw)) - _HOST_KEYS - {"password"})
    if unknown:
        doc.fail(
            (name, unknown[0]),
            f"{kind} {name}: unknown key(s) {unknown} (allowed: {', '.join(sorted(_HOST_KEYS))})",
        )
    groups = raw.get("groups", [])
    if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
        doc.fail((name, "groups"), f"{kind} {name}: groups must be a list of group names")
    data = raw.get("data", {})
    if data is not None and not isinstance(data, Mapping):
        doc.fail((name, "data"), f"{kind} {name}: data must be a mapping")
    return _Entry(doc, (name,), raw)


def _lineage(host: _Entry, groups: _Doc | None, defaults: _Entry | None, name: str) -> list[_Entry]:
    """Host, then its groups depth first (nested groups after their parent), then defaults."""
    chain = [host]
    visiting: list[str] = []

    def visit(entry: _Entry) -> None:
        for group in entry.raw.get("groups", []) or []:
            if group in visiting:
                entry.doc.fail(
                    (*entry.where, "groups"),
                    f"group cycle: {' -> '.join([*visiting, group])}",
                    name,
                )
            if groups is None or group not in groups.data:
                entry.doc.fail(
                    (*entry.where, "groups"),
                    f"group {group!r} is not defined" + ("" if groups else " (give --groups FILE)"),
                    name,
                )
            child = _entry(groups, group, "group")
            if child not in chain:
                chain.append(child)
            visiting.append(group)
            visit(child)
            visiting.pop()

    visit(host)
    if defaults is not None:
        chain.append(defaults)
    return chain


def _inherited(chain: Sequence[_Entry], key: str) -> tuple[Any, _Entry | None]:
    for entry in chain:
        if entry.raw.get(key) is not None:
            return entry.raw[key], entry
    return None, None


def _data(chain: Sequence[_Entry], key: str) -> tuple[Any, _Entry | None]:
    for entry in chain:
        data = entry.raw.get("data") or {}
        if data.get(key) is not None:
            return data[key], entry
    return None, None


def _credentials(chain: Sequence[_Entry], name: str) -> CredentialSources:
    found: dict[str, Any] = {}
    for key in _CRED_KEYS:
        value, entry = _data(chain, key)
        if value is None or entry is None:
            continue
        where = (*entry.where, "data", key)
        text = _str(entry.doc, value, where, name)
        found[key] = (entry.doc.path.parent / text).expanduser() if key.endswith("_file") else text
    return CredentialSources(**found)


def _host(
    name: str,
    doc: _Doc,
    groups: _Doc | None,
    defaults: _Entry | None,
    default_username: str | None,
) -> tuple[InventoryHost, bool]:
    entry = _entry(doc, name, "host")
    chain = _lineage(entry, groups, defaults, name)
    hostname, _ = _inherited(chain, "hostname")
    port, port_entry = _inherited(chain, "port")
    if port is not None and (
        not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536
    ):
        assert port_entry is not None
        port_entry.doc.fail(
            (*port_entry.where, "port"), f"port must be 1-65535, got {port!r}", name
        )
    username, _ = _inherited(chain, "username")
    username = username or default_username
    platform, _ = _inherited(chain, "platform")
    section, section_entry = _data(chain, "vpn_doctor")
    where = (*section_entry.where, "data", "vpn_doctor") if section_entry else (name,)
    tunnels, enabled = _tunnels(section_entry.doc if section_entry else doc, section, where, name)
    contexts = _contexts(section_entry.doc if section_entry else doc, section, where, name)
    if not username and enabled and _is_asa(platform):
        doc.fail(
            (name,),
            f"no username (set username on the host, a group or the defaults, "
            f"or use --username / ${USERNAME_ENV})",
            name,
        )
    host = InventoryHost(
        name=name,
        hostname=str(hostname or name),
        port=int(port or 22),
        username=str(username or ""),
        platform=str(platform or "cisco_asa"),
        groups=tuple(str(e.where[0]) for e in chain[1:] if e is not defaults),
        credentials=_credentials(chain, name),
        tunnels=tunnels,
        transport=_transport(section_entry.doc if section_entry else doc, section, where, name),
        contexts=contexts,
    )
    return host, enabled and _is_asa(platform)


def _contexts(doc: _Doc, section: Any, where: tuple[str | int, ...], host: str) -> tuple[str, ...]:
    """``context: NAME`` or ``contexts: [A, B]`` from a host's ``data.vpn_doctor``."""
    if not isinstance(section, Mapping):
        return ()
    if "context" in section and "contexts" in section:
        doc.fail((*where, "contexts"), "give context or contexts, not both", host)
    raw = section.get("contexts", [section["context"]] if "context" in section else [])
    if not isinstance(raw, list):
        doc.fail((*where, "contexts"), "data.vpn_doctor.contexts must be a list", host)
    names = tuple(str(name) for name in raw)
    for name in names:
        if not _CONTEXT_NAME.match(name):
            doc.fail((*where, "contexts"), f"bad context name {name!r}", host)
    if len(set(names)) != len(names):
        doc.fail((*where, "contexts"), "a context is listed twice", host)
    return names


def _is_asa(platform: Any) -> bool:
    return platform is None or str(platform).lower() in ASA_PLATFORMS


def load_inventory(
    hosts_file: str | Path,
    *,
    groups_file: str | Path | None = None,
    defaults_file: str | Path | None = None,
    default_username: str | None = None,
) -> Inventory:
    """Load and validate a Nornir-style inventory; raises InventoryError (exit 17)."""
    hosts_doc = _load_yaml(Path(hosts_file), "inventory hosts file")
    groups_doc = _load_yaml(Path(groups_file), "groups file") if groups_file else None
    defaults_entry: _Entry | None = None
    if defaults_file:
        defaults_doc = _load_yaml(Path(defaults_file), "defaults file")
        _refuse_secrets(defaults_doc, defaults_doc.data, (), None)
        wrapped = _Doc(
            defaults_doc.path,
            {"defaults": defaults_doc.data},
            {("defaults", *k): v for k, v in defaults_doc.lines.items()},
        )
        defaults_entry = _entry(wrapped, "defaults", "defaults")
    for doc in (hosts_doc, groups_doc):
        if doc is not None:
            for name, raw in doc.data.items():
                _refuse_secrets(doc, raw, (str(name),), str(name))
    if not hosts_doc.data:
        raise InventoryError(f"{hosts_doc.path}: no hosts")
    username = default_username or os.environ.get(USERNAME_ENV)
    hosts: list[InventoryHost] = []
    skipped: list[str] = []
    for name in hosts_doc.data:
        host, wanted = _host(str(name), hosts_doc, groups_doc, defaults_entry, username)
        (hosts.append(host) if wanted else skipped.append(host.name))
    if not hosts:
        raise InventoryError(
            f"{hosts_doc.path}: no Cisco ASA host to check ({len(skipped)} skipped)"
        )
    return Inventory(hosts=tuple(hosts), skipped=tuple(skipped), source=str(hosts_doc.path))


# ---- secrets (resolved per host at check time: a missing one fails that host only) -------------


def resolve_secrets(
    host: InventoryHost,
    fallback: CredentialSources,
    environ: Mapping[str, str] | None = None,
    *,
    keyed: bool = False,
) -> tuple[str, str | None]:
    """(password, enable secret or None) for ``host``: its own refs, then the CLI's, then env.

    ``keyed``: the host logs in with an SSH key or the agent, so no password is "" instead
    of an error (the enable secret still comes from its own references).
    Raises InputError naming the variable or file; the caller records it as that host's
    failure so the rest of the fleet is still checked.
    """
    env = os.environ if environ is None else environ
    refs = host.credentials
    password = (
        read_reference(
            refs.password_env,
            refs.password_file,
            env,
            env_label="data.password_env",
            file_label="data.password_file",
        )
        or read_reference(
            fallback.password_env,
            fallback.password_file,
            env,
            env_label="--password-env",
            file_label="--password-file",
        )
        or env.get(PASSWORD_ENV)
    )
    if not password and keyed:
        password = ""
    elif not password:
        raise InputError(
            f"no password: set data.password_env or data.password_file, or use --password-env, "
            f"--password-file or ${PASSWORD_ENV}"
        )
    secret = (
        read_reference(
            refs.secret_env,
            refs.secret_file,
            env,
            env_label="data.secret_env",
            file_label="data.secret_file",
        )
        or read_reference(
            fallback.secret_env,
            fallback.secret_file,
            env,
            env_label="--secret-env",
            file_label="--secret-file",
        )
        or env.get(SECRET_ENV)
        or None
    )
    return password, secret

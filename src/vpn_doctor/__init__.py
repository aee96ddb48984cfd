"""vpn-doctor: diagnose site-to-site IPsec tunnels on Cisco ASA firewalls over SSH.

Data flow: collect (live SSH, snapshot directory, pasted log) -> parse (TextFSM -> models)
-> diagnose (playbook walk per tunnel) -> report (rich, JSON, Markdown, Prometheus).

The public API is what ``__all__`` lists: scripts outside the project import it from here
(``from vpn_doctor import load_snapshot, parse_snapshot, diagnose``) and it stays stable;
everything else (``vpn_doctor.<subpackage>...``) may move. The names are loaded lazily, on
first use (PEP 562 ``__getattr__``), so ``import vpn_doctor`` costs almost nothing and the
command line (``vpn-doctor --version``, ``explain``) never loads netmiko, TextFSM, asyncssh or
rich unless the command needs them. ``tests/test_public_api.py`` checks that every name
resolves and that the lazy table, ``__all__`` and the typing imports below agree.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # for mypy and editors (the names are exported: they are in __all__)
    from vpn_doctor.asa.commands import command_from_filename, snapshot_filename
    from vpn_doctor.collect.snapshot import load_snapshot, save_snapshot
    from vpn_doctor.collect.terminal_log import parse_terminal_log, read_terminal_log
    from vpn_doctor.config_models import (
        AccessListEntry,
        CaCertificate,
        CryptoConfig,
        CryptoMapEntry,
        GroupPolicy,
        IkePolicy,
        Ikev2IpsecProposal,
        NatRule,
        PacketTracerResult,
        Route,
        SlaMonitor,
        TransformSet,
        TunnelGroup,
    )
    from vpn_doctor.diagnose.engine import diagnose  # at run time: the callable subpackage
    from vpn_doctor.diagnose.explain import Explanation, explain
    from vpn_doctor.diagnose.findings import DiagnosisReport, Finding, PathStep, TunnelDiagnosis
    from vpn_doctor.diagnose.messages import DebugEvidence, match_line, match_lines
    from vpn_doctor.errors import ExitCode, InputError, SnapshotError, VpnDoctorError
    from vpn_doctor.models import (
        DeviceInfo,
        DeviceState,
        IkeSa,
        IkeSubsession,
        IpsecSa,
        IpsecSubsession,
        ParseResult,
        ParseStatus,
        ProxyId,
        Snapshot,
        VpnSession,
    )
    from vpn_doctor.parse.config.sections import (
        parse_access_list_hits,
        parse_ca_certificates,
        parse_crypto_config,
        parse_crypto_map,
        parse_crypto_map_bindings,
        parse_group_policies,
        parse_ike_enabled,
        parse_ike_policies,
        parse_ipsec_proposals,
        parse_nat_hits,
        parse_packet_tracer,
        parse_routes,
        parse_running_access_lists,
        parse_running_nat,
        parse_sla_monitors,
        parse_transform_sets,
        parse_tunnel_groups,
    )
    from vpn_doctor.parse.device import parse_snapshot, parse_version
    from vpn_doctor.parse.ipsec import parse_ipsec_sa
    from vpn_doctor.parse.isakmp import parse_isakmp_sa
    from vpn_doctor.parse.sessiondb import parse_sessiondb_l2l

# name -> the module that defines it (the lazy import table)
_EXPORTS: dict[str, str] = {
    # parse: device output text -> typed records (never raises; a partial read says so)
    "parse_isakmp_sa": "vpn_doctor.parse.isakmp",
    "parse_ipsec_sa": "vpn_doctor.parse.ipsec",
    "parse_sessiondb_l2l": "vpn_doctor.parse.sessiondb",
    "parse_snapshot": "vpn_doctor.parse.device",
    "parse_version": "vpn_doctor.parse.device",
    "parse_access_list_hits": "vpn_doctor.parse.config.sections",
    "parse_ca_certificates": "vpn_doctor.parse.config.sections",
    "parse_crypto_config": "vpn_doctor.parse.config.sections",
    "parse_crypto_map": "vpn_doctor.parse.config.sections",
    "parse_crypto_map_bindings": "vpn_doctor.parse.config.sections",
    "parse_group_policies": "vpn_doctor.parse.config.sections",
    "parse_ike_enabled": "vpn_doctor.parse.config.sections",
    "parse_ike_policies": "vpn_doctor.parse.config.sections",
    "parse_ipsec_proposals": "vpn_doctor.parse.config.sections",
    "parse_nat_hits": "vpn_doctor.parse.config.sections",
    "parse_packet_tracer": "vpn_doctor.parse.config.sections",
    "parse_routes": "vpn_doctor.parse.config.sections",
    "parse_running_access_lists": "vpn_doctor.parse.config.sections",
    "parse_running_nat": "vpn_doctor.parse.config.sections",
    "parse_sla_monitors": "vpn_doctor.parse.config.sections",
    "parse_transform_sets": "vpn_doctor.parse.config.sections",
    "parse_tunnel_groups": "vpn_doctor.parse.config.sections",
    # debug / syslog lines -> catalogue matches
    "DebugEvidence": "vpn_doctor.diagnose.messages",
    "match_line": "vpn_doctor.diagnose.messages",
    "match_lines": "vpn_doctor.diagnose.messages",
    # collect: snapshot directories (one file per command) and pasted terminal logs
    "command_from_filename": "vpn_doctor.asa.commands",
    "snapshot_filename": "vpn_doctor.asa.commands",
    "load_snapshot": "vpn_doctor.collect.snapshot",
    "save_snapshot": "vpn_doctor.collect.snapshot",
    "parse_terminal_log": "vpn_doctor.collect.terminal_log",
    "read_terminal_log": "vpn_doctor.collect.terminal_log",
    # diagnose: device state -> findings per tunnel; offline explanations
    "diagnose": "vpn_doctor.diagnose",
    "Explanation": "vpn_doctor.diagnose.explain",
    "explain": "vpn_doctor.diagnose.explain",
    # result types
    "DiagnosisReport": "vpn_doctor.diagnose.findings",
    "Finding": "vpn_doctor.diagnose.findings",
    "PathStep": "vpn_doctor.diagnose.findings",
    "TunnelDiagnosis": "vpn_doctor.diagnose.findings",
    "DeviceInfo": "vpn_doctor.models",
    "DeviceState": "vpn_doctor.models",
    "IkeSa": "vpn_doctor.models",
    "IkeSubsession": "vpn_doctor.models",
    "IpsecSa": "vpn_doctor.models",
    "IpsecSubsession": "vpn_doctor.models",
    "ParseResult": "vpn_doctor.models",
    "ParseStatus": "vpn_doctor.models",
    "ProxyId": "vpn_doctor.models",
    "Snapshot": "vpn_doctor.models",
    "VpnSession": "vpn_doctor.models",
    "AccessListEntry": "vpn_doctor.config_models",
    "CaCertificate": "vpn_doctor.config_models",
    "CryptoConfig": "vpn_doctor.config_models",
    "CryptoMapEntry": "vpn_doctor.config_models",
    "GroupPolicy": "vpn_doctor.config_models",
    "IkePolicy": "vpn_doctor.config_models",
    "Ikev2IpsecProposal": "vpn_doctor.config_models",
    "NatRule": "vpn_doctor.config_models",
    "PacketTracerResult": "vpn_doctor.config_models",
    "Route": "vpn_doctor.config_models",
    "SlaMonitor": "vpn_doctor.config_models",
    "TransformSet": "vpn_doctor.config_models",
    "TunnelGroup": "vpn_doctor.config_models",
    # errors (every one has an exit_code; see the README's table)
    "ExitCode": "vpn_doctor.errors",
    "InputError": "vpn_doctor.errors",
    "SnapshotError": "vpn_doctor.errors",
    "VpnDoctorError": "vpn_doctor.errors",
}

__all__ = [
    "AccessListEntry",
    "CaCertificate",
    "CryptoConfig",
    "CryptoMapEntry",
    "DebugEvidence",
    "DeviceInfo",
    "DeviceState",
    "DiagnosisReport",
    "ExitCode",
    "Explanation",
    "Finding",
    "GroupPolicy",
    "IkePolicy",
    "IkeSa",
    "IkeSubsession",
    "Ikev2IpsecProposal",
    "InputError",
    "IpsecSa",
    "IpsecSubsession",
    "NatRule",
    "PacketTracerResult",
    "ParseResult",
    "ParseStatus",
    "PathStep",
    "ProxyId",
    "Route",
    "SlaMonitor",
    "Snapshot",
    "SnapshotError",
    "TransformSet",
    "TunnelDiagnosis",
    "TunnelGroup",
    "VpnDoctorError",
    "VpnSession",
    "__version__",
    "command_from_filename",
    "diagnose",
    "explain",
    "load_snapshot",
    "match_line",
    "match_lines",
    "parse_access_list_hits",
    "parse_ca_certificates",
    "parse_crypto_config",
    "parse_crypto_map",
    "parse_crypto_map_bindings",
    "parse_group_policies",
    "parse_ike_enabled",
    "parse_ike_policies",
    "parse_ipsec_proposals",
    "parse_ipsec_sa",
    "parse_isakmp_sa",
    "parse_nat_hits",
    "parse_packet_tracer",
    "parse_routes",
    "parse_running_access_lists",
    "parse_running_nat",
    "parse_sessiondb_l2l",
    "parse_sla_monitors",
    "parse_snapshot",
    "parse_terminal_log",
    "parse_transform_sets",
    "parse_tunnel_groups",
    "parse_version",
    "read_terminal_log",
    "save_snapshot",
    "snapshot_filename",
]


def __getattr__(name: str) -> Any:
    """Import a public name's module on first access and cache the name here."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'vpn_doctor' has no attribute {name!r}")
    imported = import_module(module)
    # `diagnose` is the subpackage vpn_doctor.diagnose itself, callable (see its docstring)
    value = imported if imported.__name__ == f"{__name__}.{name}" else getattr(imported, name)
    globals()[name] = value  # later accesses skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

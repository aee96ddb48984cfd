"""A Nornir task: ``diagnose_tunnels(task, peer=None)`` runs vpn-doctor on one inventory host.

Why a task and not another runner: teams that automate with Nornir already have the
inventory, the credentials (often set by a transform function from a vault), the threaded
runner and the result handling. The task logs in read-only, collects the tunnel state (the
same four show commands as ``check``; with ``peer`` the ASA filters the IPsec output for that
peer), parses, diagnoses and returns the report as the Contract 2 dict (what
``vpn-doctor diagnose --format json`` prints) as the task's ``result``; ``failed`` is set when
the device could not be reached, the login failed or a secret is missing (``result`` is then
the one-line error, ``exception`` the vpn-doctor error with its exit code).

What it reads from the Nornir inventory (host, groups, defaults, as Nornir resolves them):
``hostname`` (else the host's name), ``port`` (else 22), ``username``, ``password`` (set it
with a transform function; or ``data.password_env``/``data.password_file``, else
``$VPN_DOCTOR_PASSWORD``), the enable secret from the ``netmiko`` connection options'
``extras.secret`` (or ``data.secret_env``/``data.secret_file``, else ``$VPN_DOCTOR_SECRET``;
none: the ASA ``login`` command), and ``platform``: ``cisco_asa`` (or ``asa``). ``cisco_ftd``
is recognised but only accepted once the SSH driver of this build supports FTD; other
platforms fail that host with a clear message.

Only this module imports nornir (an optional extra: ``pip install 'vpn-doctor[nornir]'``);
``import vpn_doctor`` never does. Example: examples/nornir_diagnose.py.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from nornir.core.task import Result, Task

from vpn_doctor.asa.commands import DEFAULT_COLLECTION
from vpn_doctor.collect.credentials import CredentialSources
from vpn_doctor.errors import InputError, VpnDoctorError

ASA_PLATFORMS = frozenset({"cisco_asa", "asa", "cisco_asa_ssh"})
FTD_PLATFORMS = frozenset({"cisco_ftd", "ftd", "cisco_ftd_ssh"})


def _refs(task: Task) -> CredentialSources:
    found: dict[str, Any] = {}
    for key in ("password_env", "password_file", "secret_env", "secret_file"):
        value = task.host.get(key)
        if value:
            found[key] = Path(str(value)).expanduser() if key.endswith("_file") else str(value)
    return CredentialSources(**found)


def _device_type(platform: str | None, supported: frozenset[str]) -> dict[str, Any]:
    """The driver option for the platform; InputError for a platform we cannot log into."""
    name = (platform or "cisco_asa").lower()
    if name in ASA_PLATFORMS:
        return {}
    if name in FTD_PLATFORMS:
        if "device_type" not in supported:
            raise InputError(
                f"platform {platform}: FTD is not supported by the SSH driver of this "
                "vpn-doctor build yet"
            )
        return {"device_type": "ftd"}
    raise InputError(f"platform {platform!r} is not a Cisco ASA/FTD (cisco_asa, cisco_ftd)")


def _secret(task: Task) -> str | None:
    options = task.host.get_connection_parameters("netmiko")
    extras = options.extras or {}
    value = extras.get("secret")
    return str(value) if value else None


def diagnose_tunnels(
    task: Task,
    peer: str | None = None,
    *,
    timeout: float = 10.0,
    commands: Sequence[str] = DEFAULT_COLLECTION,
    environ: Mapping[str, str] | None = None,
) -> Result:
    """Diagnose the host's IPsec tunnels (only ``peer`` when given); the report is the result.

    ``timeout`` bounds connect/login (each command may take 3x); ``commands`` are the
    read-only show commands to collect (allow-listed; default: the tunnel state).
    """
    from vpn_doctor.collect.collector import collect, validate_peer
    from vpn_doctor.collect.driver import AsaSession, ConnectionSettings
    from vpn_doctor.diagnose.engine import diagnose
    from vpn_doctor.fleet.inventory import InventoryHost, resolve_secrets
    from vpn_doctor.parse.device import parse_snapshot
    from vpn_doctor.report.formats import to_json_dict

    host = task.host
    env = os.environ if environ is None else environ
    try:
        wanted = validate_peer(peer) if peer else None
        supported = frozenset(f.name for f in dataclasses.fields(ConnectionSettings))
        extra = _device_type(host.platform, supported)
        refs = _refs(task)
        address = host.hostname or host.name
        if host.password:
            password, secret = host.password, _secret(task)
        else:
            stand_in = InventoryHost(
                name=host.name,
                hostname=address,
                port=host.port or 22,
                username=host.username or "",
                platform=host.platform or "cisco_asa",
                credentials=refs,
            )
            password, secret = resolve_secrets(stand_in, CredentialSources(), env)
        if secret is None:
            secret = _secret(task) or _reference_secret(refs, env)
        if not host.username:
            raise InputError(f"{host.name}: no username in the Nornir inventory")
        settings = ConnectionSettings(
            host=address,
            port=host.port or 22,
            username=host.username,
            password=password,
            secret=secret,
            conn_timeout=timeout,
            enable_timeout=timeout,
            read_timeout=3 * timeout,
            **extra,
        )
        with AsaSession(settings) as session:
            snapshot = collect(session, wanted, commands)
        report = diagnose(parse_snapshot(snapshot), wanted, debug_peer=snapshot.peer)
    except VpnDoctorError as exc:
        return Result(host=host, result=str(exc), failed=True, exception=exc)
    return Result(
        host=host,
        result=to_json_dict(report),
        failed=False,
        changed=False,
        exit_code=report.exit_code(),
    )


def _reference_secret(refs: CredentialSources, environ: Mapping[str, str]) -> str | None:
    from vpn_doctor.collect.credentials import SECRET_ENV, read_reference

    found = read_reference(
        refs.secret_env,
        refs.secret_file,
        environ,
        env_label="data.secret_env",
        file_label="data.secret_file",
    )
    return found or environ.get(SECRET_ENV) or None

"""The login options every live command shares (Contract 4), defined once.

``diagnose``, ``collect``, ``watch`` and ``undebug`` call :func:`add_login_options` and
:func:`settings_from_args`; ``check`` takes the transport part (:func:`add_transport_options`,
``add_reach_options(context=False)``, :func:`transport_fields`) as defaults for inventory
hosts, which may override them per host (``data.vpn_doctor.ssh_key`` / ``jump_host`` / ...).
One place means a new way in (a key, a jump host, old SSH, a context, FTD) reaches every
command at once, with the same spelling and help.
"""

from __future__ import annotations

import argparse
import getpass
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vpn_doctor.errors import UsageError

if TYPE_CHECKING:
    from vpn_doctor.collect.driver import ConnectionSettings

USERNAME_ENV = "VPN_DOCTOR_USERNAME"
DEVICE_TYPES = ("asa", "ftd")


def add_login_options(parser: argparse.ArgumentParser, *, host_port: bool = True) -> None:
    """Add --port, --username, --timeout, the secret options and the transport options."""
    live = parser.add_argument_group("login (shared by every live command)")
    if host_port:
        live.add_argument("--port", type=int, default=22, help="SSH port (default 22)")
    live.add_argument(
        "--username",
        default=os.environ.get(USERNAME_ENV),
        help=f"SSH user (default: ${USERNAME_ENV}, else your local user name)",
    )
    live.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds to wait to connect and for the enable prompt; each command may take "
        "3*S (default 10)",
    )
    add_secret_options(parser)
    add_reach_options(parser)
    add_transport_options(parser)


def add_secret_options(parser: argparse.ArgumentParser) -> None:
    """--password-env/-file and --secret-env/-file: secrets never on the command line."""
    group = parser.add_argument_group("credentials (never on the command line)")
    group.add_argument("--password-env", metavar="VAR", help="read the SSH password from $VAR")
    group.add_argument(
        "--password-file", type=Path, metavar="FILE", help="read the SSH password (first line)"
    )
    group.add_argument("--secret-env", metavar="VAR", help="read the enable secret from $VAR")
    group.add_argument(
        "--secret-file", type=Path, metavar="FILE", help="read the enable secret (first line)"
    )


def add_reach_options(parser: argparse.ArgumentParser, *, context: bool = True) -> None:
    """``--context NAME`` and ``--device-type asa|ftd`` (Contract 4): where the tunnels are.

    ``check`` takes ``--device-type`` only (``context=False``): its contexts are per host,
    in the inventory (``data.vpn_doctor.contexts``).
    """
    group = parser.add_argument_group("how the firewall is deployed")
    if context:
        group.add_argument(
            "--context",
            metavar="NAME",
            help="multi-context ASA: log into the system/admin context, then changeto context NAME",
        )
    group.add_argument(
        "--device-type",
        choices=DEVICE_TYPES,
        default="asa",
        help="ftd: reach the ASA engine with 'system support diagnostic-cli' (default asa)",
    )


def add_transport_options(parser: argparse.ArgumentParser) -> None:
    """How the SSH connection is made: keys, agent, jump host, ssh config, old algorithms."""
    group = parser.add_argument_group("SSH transport (docs/ssh.md)")
    group.add_argument(
        "--ssh-key",
        type=Path,
        metavar="FILE",
        help="log in with this private key (the password, if any, is tried after it)",
    )
    group.add_argument(
        "--ssh-agent",
        action="store_true",
        help="also offer the keys of the running ssh-agent ($SSH_AUTH_SOCK)",
    )
    group.add_argument(
        "--jump-host",
        metavar="[USER@]HOST[:PORT]",
        help="reach the firewall through this bastion (SSH port forwarding, as ssh -J)",
    )
    group.add_argument(
        "--ssh-config",
        type=Path,
        metavar="FILE",
        help="apply this OpenSSH config's Host block (HostName, Port, User, IdentityFile, "
        "ProxyJump, ProxyCommand)",
    )
    group.add_argument(
        "--legacy-ssh",
        action="store_true",
        help="permit the SHA-1 key exchanges and ssh-rsa host keys of older ASA images",
    )
    group.add_argument(
        "--strict-host-key",
        action="store_true",
        help="refuse the device unless its SSH host key is already known",
    )
    group.add_argument(
        "--known-hosts",
        type=Path,
        metavar="FILE",
        help="known_hosts file for --strict-host-key (default ~/.ssh/known_hosts)",
    )


def transport_fields(args: argparse.Namespace) -> dict[str, Any]:
    """The ConnectionSettings fields the transport options set (for ``check``'s defaults)."""
    return {
        "ssh_key": getattr(args, "ssh_key", None),
        "allow_agent": bool(getattr(args, "ssh_agent", False)),
        "jump_host": getattr(args, "jump_host", None),
        "ssh_config": getattr(args, "ssh_config", None),
        "device_type": getattr(args, "device_type", "asa") or "asa",
        "legacy_ssh": bool(getattr(args, "legacy_ssh", False)),
        "strict_host_key": bool(getattr(args, "strict_host_key", False)),
        "known_hosts": getattr(args, "known_hosts", None),
    }


def settings_from_args(args: argparse.Namespace) -> ConnectionSettings:
    """The ConnectionSettings a live command's arguments describe (may prompt for secrets).

    With ``--ssh-key`` or ``--ssh-agent`` and no password given anywhere, the password is
    empty rather than prompted for: the key logs in, and the enable secret still comes from
    its own options.
    """
    # Imported here: every `vpn-doctor` run builds the whole parser, so the top of this
    # module is the standard library only (netmiko only when connecting).
    from vpn_doctor.collect.credentials import CredentialSources, get_password, get_secret
    from vpn_doctor.collect.driver import ConnectionSettings

    # With --ssh-config and no user given, the config's `User` applies (driver falls back to
    # the local user name when the config has none).
    username = args.username or os.environ.get(USERNAME_ENV) or ""
    if not username and not getattr(args, "ssh_config", None):
        username = getpass.getuser()
    sources = CredentialSources(
        password_env=args.password_env,
        password_file=args.password_file,
        secret_env=args.secret_env,
        secret_file=args.secret_file,
    )
    keyed = bool(getattr(args, "ssh_key", None) or getattr(args, "ssh_agent", False))
    try:
        password = get_password(
            sources,
            user_host=f"{username or getpass.getuser()}@{args.host}",
            interactive=False if keyed else None,
        )
    except UsageError:
        if not keyed or sources.password_env or sources.password_file:
            raise
        password = ""
    secret = get_secret(sources, password=password)
    return ConnectionSettings(
        host=args.host,
        port=args.port,
        username=username,
        password=password,
        secret=secret,
        conn_timeout=args.timeout,
        enable_timeout=args.timeout,
        read_timeout=max(3 * args.timeout, 10.0),
        context=getattr(args, "context", None) or None,
        **transport_fields(args),
    )

"""Where the SSH password and enable secret come from: never the command line.

A password in argv ends up in shell history, ``ps`` output and CI logs, so vpn-doctor takes
it only from (in order): ``--password-env VAR``, ``--password-file PATH`` (first line),
the ``VPN_DOCTOR_PASSWORD`` environment variable, or an interactive prompt when stdin is a
terminal. The enable secret follows the same order with ``--secret-env``/``--secret-file``/
``VPN_DOCTOR_SECRET``; at a prompt an empty answer reuses the password, and with no terminal
and no secret given it is None (the ASA ``login`` command is then used to reach enable).
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from vpn_doctor.errors import InputError, UsageError

PASSWORD_ENV = "VPN_DOCTOR_PASSWORD"
SECRET_ENV = "VPN_DOCTOR_SECRET"

Prompt = Callable[[str], str]


@dataclass(frozen=True)
class CredentialSources:
    """What the user pointed us at (from the CLI flags); all optional."""

    password_env: str | None = None
    password_file: Path | None = None
    secret_env: str | None = None
    secret_file: Path | None = None


def read_env(var: str, environ: Mapping[str, str], what: str) -> str:
    """The secret in ``$var``; a clear InputError naming ``what`` if it is unset or empty."""
    value = environ.get(var)
    if not value:
        raise InputError(f"{what}: environment variable {var} is not set or empty")
    return value


def read_first_line(path: Path, what: str) -> str:
    """The secret on the first line of ``path``; a clear InputError naming ``what`` otherwise."""
    try:
        with path.open(encoding="utf-8") as handle:
            first = handle.readline().rstrip("\r\n")
    except FileNotFoundError:
        raise InputError(f"{what}: file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{what}: cannot read {path}: {exc.__class__.__name__}") from None
    if not first:
        raise InputError(f"{what}: the first line of {path} is empty")
    return first


def read_reference(
    var: str | None,
    path: Path | None,
    environ: Mapping[str, str],
    *,
    env_label: str,
    file_label: str,
) -> str | None:
    """The secret an env-var or file reference points at; None when neither is given.

    One precedence (variable, then file) for the CLI flags and the inventory's per-host
    references; the labels name the flag or key in the error if the reference is broken.
    """
    if var:
        return read_env(var, environ, env_label)
    if path:
        return read_first_line(path, file_label)
    return None


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def get_password(
    sources: CredentialSources,
    *,
    user_host: str,
    environ: Mapping[str, str] | None = None,
    prompt: Prompt | None = None,
    interactive: bool | None = None,
) -> str:
    """The SSH password, or UsageError (exit 64) saying how to provide one."""
    env = os.environ if environ is None else environ
    found = read_reference(
        sources.password_env,
        sources.password_file,
        env,
        env_label="--password-env",
        file_label="--password-file",
    ) or env.get(PASSWORD_ENV)
    if found:
        return found
    if interactive if interactive is not None else _interactive():
        answer = (prompt or getpass.getpass)(f"SSH password for {user_host}: ")
        if answer:
            return answer
    raise UsageError(
        "no password: use --password-env VAR, --password-file FILE, set "
        f"{PASSWORD_ENV}, or run in a terminal to be prompted (never on the command line)"
    )


def get_secret(
    sources: CredentialSources,
    *,
    password: str,
    environ: Mapping[str, str] | None = None,
    prompt: Prompt | None = None,
    interactive: bool | None = None,
) -> str | None:
    """The enable secret; None means "use the ASA login command" (no terminal, none given)."""
    env = os.environ if environ is None else environ
    found = read_reference(
        sources.secret_env,
        sources.secret_file,
        env,
        env_label="--secret-env",
        file_label="--secret-file",
    ) or env.get(SECRET_ENV)
    if found:
        return found
    if interactive if interactive is not None else _interactive():
        answer = (prompt or getpass.getpass)("Enable secret (Enter: same as the password): ")
        return answer or password
    return None

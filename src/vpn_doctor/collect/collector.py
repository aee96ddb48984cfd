"""Run the read-only collection against any CommandRunner and build a Snapshot.

The runner may be a live :class:`vpn_doctor.collect.driver.AsaSession` or a test double; this module
never touches SSH. Two failure rules, both chosen so an engineer never loses evidence:

* a command the ASA rejects (old software without ``vpn-sessiondb detail l2l``, command
  authorisation) is recorded with the device's error text, so the parser marks it FAILED
  ("could not determine"), and collection goes on;
* any other device error (or Ctrl-C) stops collection and raises
  :class:`~vpn_doctor.errors.CollectionInterrupted` carrying everything gathered so far, so
  the CLI can still save it.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Sequence
from datetime import datetime, timezone

from vpn_doctor.asa.commands import (
    DEFAULT_COLLECTION,
    SHOW_DEBUG,
    SHOW_FAILOVER,
    SHOW_VERSION,
    peer_filtered_commands,
)
from vpn_doctor.asa.output import SOFTWARE_VERSION, is_refusal
from vpn_doctor.collect.allowlist import check_allowed
from vpn_doctor.collect.runner import CommandRunner
from vpn_doctor.collect.signals import Terminated
from vpn_doctor.errors import (
    CollectionInterrupted,
    CommandRejected,
    DeviceError,
    ExitCode,
    InputError,
)
from vpn_doctor.masking import mask_secrets
from vpn_doctor.models import DeviceInfo, Snapshot

Progress = Callable[[str], None]

_MODEL_RE = re.compile(r"^Hardware:\s*([^,\s]+)", re.MULTILINE)
_UPTIME_HOST_RE = re.compile(r"^(\S+)\s+up\s+\d", re.MULTILINE)


def is_rejection(output: str) -> bool:
    """True when a command's output is the ASA refusing it rather than answering it
    (:func:`vpn_doctor.asa.output.is_refusal`: its first lines only)."""
    return is_refusal(output)


def peer_commands(peer: str) -> dict[str, str]:
    """The per-peer variants that replace the box-wide ones when a peer is given."""
    return peer_filtered_commands(peer)


def validate_peer(peer: str) -> str:
    """A peer must be an IP address (it ends up in a command line; names are refused)."""
    try:
        return str(ipaddress.ip_address(peer.strip()))
    except ValueError:
        raise InputError(f"peer must be an IP address, got {peer!r}") from None


_PEER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,62}$")


def validate_peer_or_name(peer: str) -> str:
    """A peer given as an address, or as an ASA `name` (`name 203.0.113.9 BRANCH-LYON`),
    which the engine resolves through `show running-config names`."""
    text = peer.strip()
    if _PEER_NAME.match(text) and not text.replace(".", "").isdigit():
        return text
    return validate_peer(text)


def resolve_peer_name(name: str, names_output: str) -> str:
    """``name`` -> its address from `show running-config names` output (InputError if absent)."""
    for line in names_output.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "name" and parts[2] == name:
            return validate_peer(parts[1])
    raise InputError(
        f"--peer {name}: not an address, and 'show running-config names' has no such name"
    )


def plan(peer: str | None, commands: Sequence[str] = DEFAULT_COLLECTION) -> list[str]:
    """The exact, allow-listed commands collection will send, in order."""
    swaps = peer_commands(validate_peer(peer)) if peer else {}
    return [check_allowed(swaps.get(command, command)) for command in commands]


def device_info(outputs: dict[str, str], hostname: str = "", context: str = "") -> DeviceInfo:
    """Hostname / version / model from ``show version`` (the prompt wins for the hostname).

    Deliberately tiny: the full parse belongs to parsing.py; meta.yaml only needs these.
    """
    text = outputs.get(SHOW_VERSION, "")
    version = SOFTWARE_VERSION.search(text)
    model = _MODEL_RE.search(text)
    if not hostname:
        uptime = _UPTIME_HOST_RE.search(text)
        hostname = uptime.group(1) if uptime else ""
    return DeviceInfo(
        context=context,
        hostname=hostname,
        version=version.group(1) if version else "",
        model=model.group(1) if model else "",
    )


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def collect(
    runner: CommandRunner,
    peer: str | None = None,
    commands: Sequence[str] = DEFAULT_COLLECTION,
    *,
    progress: Progress | None = None,
) -> Snapshot:
    """Run ``commands`` (per-peer variants when ``peer`` is given) and return the Snapshot.

    All commands are checked against the allowlist before the first one is sent.
    """
    to_run = plan(peer, commands)
    collected_at = _now()
    outputs: dict[str, str] = {}
    at_login = getattr(runner, "debug_at_login", None)  # AsaSession reads it once at login
    if isinstance(at_login, str):
        outputs[SHOW_DEBUG] = mask_secrets(at_login)
    failover = getattr(runner, "failover_at_login", None)  # idem: the unit's failover role
    if isinstance(failover, str):
        outputs[SHOW_FAILOVER] = mask_secrets(failover)

    def snapshot() -> Snapshot:
        return Snapshot(
            outputs=dict(outputs),
            device=device_info(
                outputs,
                str(getattr(runner, "hostname", "") or ""),
                str(getattr(runner, "context", "") or ""),
            ),
            peer=validate_peer(peer) if peer else None,
            collected_at=collected_at,
            source=f"live:{runner.host}",
        )

    for index, command in enumerate(to_run):
        if progress:
            progress(f"[{index + 1}/{len(to_run)}] {command}")
        try:
            outputs[command] = mask_secrets(runner.run(command))
        except CommandRejected as exc:
            outputs[command] = mask_secrets(exc.output or f"ERROR: {exc.message}")
        except DeviceError as exc:
            raise CollectionInterrupted(
                f"collection stopped after {len(outputs)} of {len(to_run)} commands: {exc.message}",
                snapshot=snapshot(),
                exit_code=exc.exit_code,
                host=exc.host or runner.host,
                command=exc.command or command,
                output=exc.output,
            ) from exc
        except (KeyboardInterrupt, Terminated) as exc:
            raise CollectionInterrupted(
                f"{'interrupted' if isinstance(exc, KeyboardInterrupt) else exc} after "
                f"{len(outputs)} of {len(to_run)} commands",
                snapshot=snapshot(),
                exit_code=exc.exit_code if isinstance(exc, Terminated) else ExitCode.INTERRUPTED,
                host=runner.host,
                command=command,
            ) from exc
    return snapshot()


def rejected_commands(snapshot: Snapshot) -> list[str]:
    """Commands whose stored output is the device refusing them (for summaries)."""
    return [cmd for cmd, out in snapshot.outputs.items() if is_rejection(out)]

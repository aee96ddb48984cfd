"""Save and load a snapshot directory (Contract 1 in shared/DESIGN.md).

Layout: one ``<command with spaces as _>.txt`` per command (see
:func:`vpn_doctor.asa.commands.snapshot_filename`), ``debug.log`` with debug/syslog lines and
``meta.yaml`` (hostname, version, model, collected_at, peer, source); a watch or
``diagnose --samples`` adds ``samples.yaml`` (the polls), ``watch --debug`` adds
``debug_times.yaml`` (when each debug line arrived, on the samples' clock). A directory is the
offline input format, so loading is forgiving where it is safe to be (missing files mean
"not collected", unknown files are ignored) and loud where it is not (no such directory,
unreadable meta.yaml, a file larger than the input limit of
:func:`vpn_doctor.parse.paste.check_input_size`: exit 17 before it is read). Everything
written passes through :func:`mask_secrets` first.
:func:`read_terminal_log` (a pasted capture) lives in terminal_log.py and is re-exported here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from vpn_doctor import yaml_lines
from vpn_doctor.asa.commands import (
    DEBUG_LOG_FILE,
    DEBUG_TIMES_FILE,
    META_FILE,
    SAMPLES_FILE,
    command_from_filename,
    snapshot_filename,
)
from vpn_doctor.collect.allowlist import check_allowed
from vpn_doctor.collect.terminal_log import read_terminal_log
from vpn_doctor.errors import CommandNotAllowed, SnapshotError
from vpn_doctor.masking import mask_secrets
from vpn_doctor.models import DeviceInfo, RawSample, Snapshot, TimedLine
from vpn_doctor.parse.paste import check_input_size
from vpn_doctor.yaml_lines import error_line

__all__ = ["check_save_target", "load_snapshot", "read_terminal_log", "save_snapshot"]

_OURS = (DEBUG_LOG_FILE, META_FILE, SAMPLES_FILE, DEBUG_TIMES_FILE)


def _is_snapshot_file(path: Path) -> bool:
    return path.is_file() and (path.suffix == ".txt" or path.name in _OURS)


def check_save_target(directory: Path) -> None:
    """Refuse a directory that already holds a snapshot (files would mix); call it early.

    A new or empty directory is fine, and so is one with unrelated files.
    """
    if directory.exists() and not directory.is_dir():
        raise SnapshotError(f"cannot save snapshot: {directory} exists and is not a directory")
    if directory.is_dir() and any(_is_snapshot_file(p) for p in directory.iterdir()):
        raise SnapshotError(
            f"cannot save snapshot: {directory} already contains a snapshot; choose a new "
            "directory (outputs from two collections must not mix)"
        )


def _meta(snapshot: Snapshot, partial: str | None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "hostname": snapshot.device.hostname,
        "version": snapshot.device.version,
        "model": snapshot.device.model,
        "collected_at": snapshot.collected_at,
        "peer": snapshot.peer,
        "source": snapshot.source,
        "partial": partial is not None,
    }
    if partial is not None:
        meta["partial_reason"] = partial
    if snapshot.device.context:  # multi-context: the security context it was read in
        meta["context"] = snapshot.device.context
    return meta


def save_snapshot(snapshot: Snapshot, directory: Path | str, *, partial: str | None = None) -> Path:
    """Write ``snapshot`` to ``directory`` (created if needed) and return the directory.

    ``partial`` (why collection stopped) marks a snapshot that lacks outputs the command
    meant to collect: meta.yaml says ``partial: true`` and the reason, so nobody mistakes
    it for a complete picture of the device."""
    target = Path(directory)
    check_save_target(target)
    try:
        target.mkdir(parents=True, exist_ok=True)
        for command, output in snapshot.outputs.items():
            text = mask_secrets(output)  # written as is: a round trip gives the same text
            (target / snapshot_filename(command)).write_text(text, encoding="utf-8")
        if snapshot.debug_lines:
            lines = mask_secrets("\n".join(snapshot.debug_lines)) + "\n"
            (target / DEBUG_LOG_FILE).write_text(lines, encoding="utf-8")
        if snapshot.samples:
            samples = yaml.safe_dump(
                [_sample_dict(sample) for sample in snapshot.samples],
                sort_keys=False,
                allow_unicode=True,
            )
            (target / SAMPLES_FILE).write_text(mask_secrets(samples), encoding="utf-8")
        if snapshot.debug_times:
            times = yaml.safe_dump(
                [{"at": timed.at, "line": timed.line} for timed in snapshot.debug_times],
                sort_keys=False,
                allow_unicode=True,
                width=10_000,  # one line per debug line, as in debug.log
            )
            (target / DEBUG_TIMES_FILE).write_text(mask_secrets(times), encoding="utf-8")
        meta = yaml.safe_dump(_meta(snapshot, partial), sort_keys=False, allow_unicode=True)
        (target / META_FILE).write_text(mask_secrets(meta), encoding="utf-8")
    except OSError as exc:
        raise SnapshotError(f"cannot write snapshot to {target}: {exc.strerror or exc}") from None
    return target


def _read_text(path: Path) -> str:
    try:
        check_input_size(path.stat().st_size, f"snapshot file {path}")
        raw = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise SnapshotError(f"cannot read {path}: {exc.strerror or exc}") from None
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def _load_meta(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = yaml_lines.load(_read_text(path))
    except yaml.YAMLError as exc:
        line = error_line(exc)
        where = f" line {line}" if line is not None else ""
        raise SnapshotError(f"{path}{where}: not valid YAML") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SnapshotError(f"{path}: expected a mapping (hostname: ..., version: ...)")
    return data


def _text_field(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    return "" if value is None else str(value)


def load_snapshot(directory: Path | str) -> Snapshot:
    """Read a snapshot directory; raises SnapshotError with a clear message if it is unusable."""
    source = Path(directory)
    if not source.exists():
        raise SnapshotError(f"snapshot directory not found: {source}")
    if not source.is_dir():
        raise SnapshotError(f"not a snapshot directory (it is a file): {source}")
    outputs: dict[str, str] = {}
    for path in sorted(source.glob("*.txt")):
        if not path.is_file():
            continue
        try:
            command = check_allowed(command_from_filename(path.name))
        except CommandNotAllowed:
            continue  # notes.txt, README.txt, ...: not a command output
        outputs[command] = mask_secrets(_read_text(path))  # a hand-made snapshot may not be
    debug_path = source / DEBUG_LOG_FILE
    debug_lines: tuple[str, ...] = ()
    if debug_path.is_file():
        debug_lines = tuple(
            line.rstrip()
            for line in mask_secrets(_read_text(debug_path)).splitlines()
            if line.strip()
        )
    meta = _load_meta(source / META_FILE)
    samples = _load_samples(source / SAMPLES_FILE)
    debug_times = _load_debug_times(source / DEBUG_TIMES_FILE)
    if not outputs and not debug_lines:
        raise SnapshotError(
            f"no command outputs (*.txt such as show_crypto_isakmp_sa.txt) or {DEBUG_LOG_FILE} "
            f"in {source}"
        )
    peer = meta.get("peer")
    return Snapshot(
        outputs=outputs,
        debug_lines=debug_lines,
        device=DeviceInfo(
            hostname=_text_field(meta, "hostname"),
            version=_text_field(meta, "version"),
            model=_text_field(meta, "model"),
            context=_text_field(meta, "context"),
        ),
        peer=None if peer in (None, "") else str(peer),
        collected_at=_text_field(meta, "collected_at"),
        source=f"snapshot:{source}",
        samples=samples,
        debug_times=debug_times,
    )


def _sample_dict(sample: RawSample) -> dict[str, Any]:
    return {
        "peer": sample.peer,
        "at": sample.at,
        "taken_at": sample.taken_at,
        "outputs": {command: _literal(text) for command, text in sample.outputs.items()},
    }


class _Literal(str):
    """A string YAML writes as a ``|`` block, so a sample reads like the device output."""


def _literal_representer(dumper: yaml.SafeDumper, value: _Literal) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style="|")


yaml.SafeDumper.add_representer(_Literal, _literal_representer)


def _literal(text: str) -> str:
    # A block scalar cannot keep trailing spaces on a line reliably; the parsers ignore them.
    return _Literal("\n".join(line.rstrip() for line in text.splitlines()) + "\n")


def _load_list(path: Path, what: str) -> list[Any]:
    """A YAML list file of a snapshot directory (empty when absent); SnapshotError if bad."""
    if not path.is_file():
        return []
    try:
        data = yaml_lines.load(_read_text(path))
    except yaml.YAMLError as exc:
        line = error_line(exc)
        where = f" line {line}" if line is not None else ""
        raise SnapshotError(f"{path}{where}: not valid YAML") from None
    if not isinstance(data, list):
        raise SnapshotError(f"{path}: expected a list of {what}")
    return data


def _load_debug_times(path: Path) -> tuple[TimedLine, ...]:
    """``debug_times.yaml``: each debug line of a watch with its arrival time (optional)."""
    data = _load_list(path, "debug lines (at, line)")
    times = []
    for index, item in enumerate(data):
        if not isinstance(item, dict) or "line" not in item:
            raise SnapshotError(f"{path}: entry #{index + 1} needs at and line")
        try:
            at = float(item.get("at", 0.0))
        except (TypeError, ValueError):
            raise SnapshotError(f"{path}: entry #{index + 1}: at is not a number") from None
        times.append(TimedLine(at, mask_secrets(str(item["line"]).rstrip())))
    return tuple(times)


def _load_samples(path: Path) -> tuple[RawSample, ...]:
    """``samples.yaml``: the polls of a watch or ``diagnose --samples`` (optional)."""
    data = _load_list(path, "samples (peer, at, taken_at, outputs)")
    samples = []
    for index, item in enumerate(data):
        outputs = item.get("outputs") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(outputs, dict) or "peer" not in item:
            raise SnapshotError(f"{path}: sample #{index + 1} needs peer, at and outputs")
        try:
            commands = {check_allowed(str(c)): str(text) for c, text in outputs.items()}
            at = float(item.get("at", 0.0))
        except (CommandNotAllowed, TypeError, ValueError) as exc:
            raise SnapshotError(f"{path}: sample #{index + 1}: {exc}") from None
        samples.append(RawSample(str(item["peer"]), at, str(item.get("taken_at", "")), commands))
    return tuple(samples)

"""Turn a pasted terminal capture into a Snapshot (``diagnose --from-log FILE``).

Engineers rarely have a snapshot directory; they have a PuTTY log or a paste in a ticket:
``fw1# sh cry isa sa`` followed by the output, several commands in a row, syslog lines
sprayed in between (``terminal monitor``), pager remnants, the odd ``fw1/ctx#`` or
``fw1(config)#`` prompt. This reader:

* finds the prompt (the most common ``<host>[/<ctx>][(<mode>)]#|>`` in front of a known
  command) and splits the capture at every prompt of that host;
* stores each show / packet-tracer block under its canonical command, expanded with the same
  function the allowlist uses (``sh cry isa sa`` -> ``show crypto isakmp sa``); a command
  typed twice keeps the later output;
* moves debug and syslog lines (``%ASA-``, ``[IKEv1]``, ``IKEv2-PROTO``...) to
  ``debug_lines`` (everything printed after a ``debug``/``terminal``/``undebug`` command is
  debug output); ``show logging`` keeps its lines and also feeds ``debug_lines``;
* strips ``<--- More --->`` remnants, backspaces and ANSI escapes, and masks secrets.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from vpn_doctor.asa.output import PAGER, prompt_line
from vpn_doctor.collect.allowlist import check_allowed, expand_command
from vpn_doctor.collect.collector import device_info
from vpn_doctor.errors import CommandNotAllowed, SnapshotError
from vpn_doctor.masking import mask_secrets
from vpn_doctor.models import Snapshot

_PROMPT = prompt_line()
_KNOWN_VERBS = frozenset(
    {
        "show",
        "debug",
        "undebug",
        "no",
        "terminal",
        "packet-tracer",
        "enable",
        "configure",
        "clear",
        "write",
        "copy",
        "ping",
        "exit",
        "changeto",
        "more",
        "login",
        "logout",
    }
)
_STORED_VERBS = ("show", "packet-tracer")
_DEBUG_LINE = re.compile(
    r"%ASA-\d|\[IKEv[12]|IKEv2-(?:PROTO|PLAT)|^\s*IPSEC(?: DEBUG)?:|^\s*ISAKMP(?: DEBUG)?:"
)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _apply_backspaces(line: str) -> str:
    """A typed ``sh cryp\b\bry`` is what the terminal showed as ``sh cry``: each backspace
    erases the character before it, as the screen did (a plain strip would keep the typo)."""
    if "\x08" not in line:
        return line
    kept: list[str] = []
    for char in line:
        if char == "\x08":
            if kept:
                kept.pop()
        else:
            kept.append(char)
    return "".join(kept)


def _clean(raw: str) -> list[str]:
    text = _ANSI.sub("", raw.replace("\r\n", "\n"))
    lines: list[str] = []
    after_more = False
    for line in text.split("\n"):
        # a bare CR rewrites the line on a terminal: keep what was painted last
        if "\r" in line.rstrip("\r"):
            line = line.rstrip("\r").rsplit("\r", 1)[-1]
        had_more = bool(PAGER.search(line))
        line = _CONTROL.sub("", _apply_backspaces(PAGER.sub("", line))).rstrip()
        if (had_more or after_more) and not line.strip():
            after_more = had_more  # the pager's blank-out line may follow the marker
            continue
        after_more = False
        lines.append(line)
    return lines


def _find_host(lines: list[str]) -> str:
    """The device's prompt name: the most common one in front of a recognisable command."""
    hosts: Counter[str] = Counter()
    for line in lines:
        match = _PROMPT.match(line)
        if match and match.group("cmd").strip():
            verb = expand_command(match.group("cmd")).split(" ")[0]
            if verb in _KNOWN_VERBS:
                hosts[match.group("host")] += 1
    if not hosts:
        raise SnapshotError(
            "no ASA prompt with a command found (expected lines like 'fw1# show crypto isakmp "
            "sa' followed by the output)"
        )
    return hosts.most_common(1)[0][0]


def _blocks(lines: list[str], host: str) -> list[tuple[str | None, list[str]]]:
    """Split at every prompt of ``host``: [(typed command or None, lines after it)]."""
    own_prompt = prompt_line(host)
    blocks: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in lines:
        match = own_prompt.match(line)
        if match:
            blocks.append((match.group("cmd").strip() or None, []))
        else:
            blocks[-1][1].append(line)
    return blocks


def _trim(lines: list[str]) -> str:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end])


def verb_is_logging(command: str) -> bool:
    """`show logging` output *is* syslog lines: keep them in the output as well."""
    return command.startswith("show logging")


def parse_terminal_log(text: str, *, source: str = "log") -> Snapshot:
    """Parse the text of a terminal capture (see the module docstring)."""
    lines = _clean(text)
    host = _find_host(lines)
    outputs: dict[str, str] = {}
    debug_lines: list[str] = []
    debugging = False  # between `debug ...` and `undebug all`: bare text is debug output
    for typed, body in _blocks(lines, host):
        if typed and _DEBUG_LINE.search(typed):
            # debug output printed right after a prompt: "fw1# Mar 01 [IKEv1]..."
            body = [typed, *body]
            typed = None
        command = expand_command(typed) if typed else ""
        verb = command.split(" ")[0] if command else ""
        if verb == "debug":
            debugging = True
        elif command in ("undebug all", "no debug all"):
            debugging = False
        if verb not in _STORED_VERBS:
            # preamble, enable/Password:, the debug stream: keep only debug lines
            stream = debugging or verb in ("debug", "terminal", "undebug", "no")
            debug_lines.extend(
                line for line in body if line.strip() and (stream or _DEBUG_LINE.search(line))
            )
            continue
        try:
            command = check_allowed(command)
        except CommandNotAllowed:
            continue
        keep = [line for line in body if not _DEBUG_LINE.search(line)]
        debug_lines.extend(line for line in body if _DEBUG_LINE.search(line))
        outputs.pop(command, None)  # re-insert: a repeated command keeps the later output
        outputs[command] = mask_secrets(_trim(body if verb_is_logging(command) else keep))
    unique = list(dict.fromkeys(line.rstrip() for line in debug_lines))  # show logging repeats
    return Snapshot(
        outputs=outputs,
        debug_lines=tuple(mask_secrets(line) for line in unique),
        device=device_info(outputs, host),
        source=source,
    )


def read_terminal_log(path: Path | str) -> Snapshot:
    """Read a pasted terminal capture from ``path``; SnapshotError if it is unusable."""
    file = Path(path)
    if not file.is_file():
        raise SnapshotError(f"terminal log not found: {file}")
    try:
        # newline="": keep lone CRs, they are how the pager and line repaints look
        with file.open(encoding="utf-8", errors="replace", newline="") as handle:
            raw = handle.read()
    except OSError as exc:
        raise SnapshotError(f"cannot read {file}: {exc.strerror or exc}") from None
    try:
        return parse_terminal_log(raw, source=f"log:{file}")
    except SnapshotError as exc:
        raise SnapshotError(f"{file}: {exc.message}") from None

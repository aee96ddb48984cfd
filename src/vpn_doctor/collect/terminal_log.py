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

What pasting does to a capture (CR-only line ends, markdown list markers and escapes, lost
indentation) is undone first by :mod:`vpn_doctor.parse.paste`; prompts may be indented
(markdown), belong to a failover pair or a context (``fw/pri/act#``, ``fw/ctx1/sec/stby#``,
``fw/act(config)#``), be bare (``# show ...``, FTD's ``> show ...``), and commands may be
typed in upper case. A paste with no prompt at all is read by
:func:`vpn_doctor.parse.paste.split_bare` (which command printed what, and syslog lines).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from vpn_doctor.asa.output import prompt_line
from vpn_doctor.collect.allowlist import check_allowed, expand_command
from vpn_doctor.collect.collector import device_info
from vpn_doctor.errors import CommandNotAllowed, SnapshotError
from vpn_doctor.masking import mask_secrets
from vpn_doctor.models import Snapshot
from vpn_doctor.parse.paste import (
    DEBUG_LINE,
    check_input_size,
    join_wrapped,
    normalise_paste,
    split_bare,
)

_PROMPT = prompt_line()
# A prompt without a host name ("# show crypto isakmp sa", FTD's "> show ipsec sa"): only
# with a command verb after it, so "#pkts encaps: 0" is never read as a prompt.
_BARE_PROMPT = re.compile(
    r"^[ \t]*(?P<host>)[#>][ \t]*(?P<cmd>(?i:sh|sho|show|packet-tracer|debug|undebug|terminal)"
    r"(?:[ \t].*)?)$"
)
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
_DEBUG_LINE = DEBUG_LINE


def _prompt(line: str) -> re.Match[str] | None:
    """A prompt (with the typed command after it) at the start of ``line``, indented or not
    (markdown indents whole pastes), with or without a host name."""
    if "#" not in line and ">" not in line:
        return None
    head = line.lstrip()
    return _PROMPT.match(head) or _BARE_PROMPT.match(head)


def _typed(cmd: str) -> str:
    """The command as the device read it: keywords typed in upper case are the same
    command (``SHOW CRYPTO IPSEC SA PEER X``, ``SHOW ASP TABLE | begin X``)."""
    cmd = cmd.strip()
    head, bar, tail = cmd.partition("|")
    return head.lower() + bar + tail if head.isupper() else cmd


def canonical(typed: str) -> str:
    """Expanded command, with FTD's ``show ipsec sa`` stored as ``show crypto ipsec sa``."""
    command = expand_command(_typed(typed))
    if command.startswith("show ipsec "):
        command = "show crypto ipsec " + command[len("show ipsec ") :]
    return command


def _find_host(lines: list[str]) -> str | None:
    """The device's prompt name: the most common one in front of a recognisable command
    ("" for a bare ``#``/``>`` prompt); None when the capture has no prompt at all."""
    hosts: Counter[str] = Counter()
    for line in lines:
        match = _prompt(line)
        if match and match.group("cmd").strip():
            verb = canonical(match.group("cmd")).split(" ")[0]
            if verb in _KNOWN_VERBS:
                hosts[match.group("host")] += 1
    if not hosts:
        return None
    return hosts.most_common(1)[0][0]


def _blocks(lines: list[str], host: str) -> list[tuple[str | None, list[str]]]:
    """Split at every prompt of ``host``: [(typed command or None, lines after it)]."""
    blocks: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in lines:
        match = _prompt(line)
        if match and match.group("host") != host:
            match = None
        if match and not host and not match.group("cmd").strip():
            match = None
        if match is None and not host and line.strip() in ("#", ">"):
            blocks.append((None, []))  # the bare prompt after the last output
            continue
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
    """Parse the text of a terminal capture or a paste (see the module docstring)."""
    lines = normalise_paste(text)
    host = _find_host(lines)
    if host is None:
        return _bare_snapshot(lines, source)
    outputs: dict[str, str] = {}
    debug_lines: list[str] = []
    logged: set[str] = set()  # lines a `show logging` output already gave
    debugging = False  # between `debug ...` and `undebug all`: bare text is debug output
    for index, (typed, body) in enumerate(_blocks(lines, host)):
        if typed and _DEBUG_LINE.search(typed):
            # debug output printed right after a prompt: "fw1# Mar 01 [IKEv1]..."
            body = [typed, *body]
            typed = None
        command = canonical(typed) if typed else ""
        verb = command.split(" ")[0] if command else ""
        if verb == "debug":
            debugging = True
        elif command in ("undebug all", "no debug all"):
            debugging = False
        if index == 0 and not typed:
            # text pasted before the first prompt: read it like a paste without prompts
            preamble = split_bare(body)
            for key, value in preamble.outputs.items():
                outputs[key] = mask_secrets(value)
            debug_lines.extend(preamble.debug_lines)
            continue
        if verb not in _STORED_VERBS:
            # enable/Password:, the debug stream: keep only debug lines
            stream = debugging or verb in ("debug", "terminal", "undebug", "no")
            debug_lines.extend(
                line
                for line in body
                if line.strip()
                and (stream or _DEBUG_LINE.search(line))
                and line.rstrip() not in logged
            )
            continue
        try:
            command = check_allowed(command)
        except CommandNotAllowed:
            continue
        keep = [line for line in body if not _DEBUG_LINE.search(line)]
        found = [line for line in body if _DEBUG_LINE.search(line)]
        if verb_is_logging(command):
            # `show logging` repeats what the debug stream already printed: keep its lines
            # once; the stream's own repeats are real (a resend is printed twice).
            logged.update(line.rstrip() for line in found)
            found = [line for line in found if line.rstrip() not in set(debug_lines)]
        debug_lines.extend(found)
        outputs.pop(command, None)  # re-insert: a repeated command keeps the later output
        outputs[command] = mask_secrets(_trim(body if verb_is_logging(command) else keep))
    return _snapshot(outputs, [line for line in debug_lines if line], host, source)


def _snapshot(outputs: dict[str, str], debug_lines: list[str], host: str, source: str) -> Snapshot:
    joined = [line.rstrip() for line in join_wrapped(debug_lines)]
    return Snapshot(
        outputs=outputs,
        debug_lines=tuple(_masked(line) for line in joined),
        device=device_info(outputs, host),
        source=source,
    )


# Every masking rule needs one of these words; a line without any cannot hold a secret, so
# the dozen masking regexes run only on the few lines that have one (a 100 MB syslog stream
# otherwise spends most of its reading time in them).
# (The rules are case-sensitive, so are these words.)
_SECRET_HINTS = ("key", "pass", "secret", "communit")


def _masked(line: str) -> str:
    return mask_secrets(line) if any(hint in line for hint in _SECRET_HINTS) else line


def _bare_snapshot(lines: list[str], source: str) -> Snapshot:
    """A paste without any prompt: what printed it is recognised from the lines."""
    bare = split_bare(lines)
    if not bare.outputs and not bare.debug_lines:
        seen = (
            f"recognised {', '.join(repr(name) for name in bare.not_read)}, which vpn-doctor "
            "does not read; "
            if bare.not_read
            else "nothing recognisable: "
        )
        raise SnapshotError(
            f"{seen}no ASA prompt with a command ('fw1# show crypto isakmp sa'), no SA, session "
            "or configuration output and no syslog or debug line (paste show crypto isakmp sa, "
            "show crypto ipsec sa, show vpn-sessiondb detail l2l or the log)"
        )
    outputs = {command: mask_secrets(text) for command, text in bare.outputs.items()}
    return _snapshot(outputs, bare.debug_lines, "", source)


def read_terminal_log(path: Path | str) -> Snapshot:
    """Read a pasted terminal capture from ``path``; SnapshotError if it is unusable."""
    file = Path(path)
    if not file.is_file():
        raise SnapshotError(f"terminal log not found: {file}")
    try:
        check_input_size(file.stat().st_size, f"terminal log {file}")
    except OSError as exc:
        raise SnapshotError(f"cannot read {file}: {exc.strerror or exc}") from None
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

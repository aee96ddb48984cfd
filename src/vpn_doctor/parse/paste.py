"""Undo what pasting does to a capture, and read a paste that has no prompt at all.

Why: engineers do not hand us PuTTY logs only. They paste from tickets, e-mails, wiki pages
and forum posts, and on the way the text loses its line ends (CR only, or escaped ``\\n``),
gains markdown (``- `` list markers, ``**READY**``, ``current\\_peer``, code fences), keeps
pager remnants (``<--- More --->`` then CR and spaces) and often has no prompt: a bare
``show crypto ipsec sa`` body, or plain syslog lines. The parsers must see the device's
lines, so this module:

* :func:`normalise_paste` turns raw text into clean lines (the same lines whatever the line
  ends, list markers and markdown escapes were);
* :func:`split_bare` recognises, in lines that carry no prompt, which command printed them
  (isakmp/ikev1/ikev2 SA table, IPsec SA blocks, L2L sessions, running-config sections) and
  which are syslog/debug lines (a syslog line wrapped onto two lines is joined again);
* :func:`check_input_size` bounds what we read (see :data:`DEFAULT_MAX_INPUT_MB`).

Nothing here guesses values: a section that is only partly recognisable goes to its parser
whole, and the parser reports it PARTIAL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from vpn_doctor.asa.commands import (
    PACKET_TRACER,
    SHOW_IPSEC_SA,
    SHOW_ISAKMP_SA,
    SHOW_ROUTE,
    SHOW_RUN_CRYPTO_IKEV1,
    SHOW_RUN_CRYPTO_IKEV2,
    SHOW_RUN_CRYPTO_IPSEC,
    SHOW_RUN_CRYPTO_MAP,
    SHOW_RUN_TUNNEL_GROUP,
    SHOW_SESSIONDB_L2L,
)
from vpn_doctor.asa.output import PAGER
from vpn_doctor.errors import InputError

#: Largest input read, in MB (a paste, a terminal log, one snapshot file). Real captures
#: of a 5,000-tunnel ASA are ~60 MB; a bigger file is a log archive, not a capture, and
#: reading it whole would cost gigabytes. Override with VPN_DOCTOR_MAX_INPUT_MB.
DEFAULT_MAX_INPUT_MB = 100
MAX_INPUT_ENV = "VPN_DOCTOR_MAX_INPUT_MB"

SHOW_IKEV1_SA = "show crypto ikev1 sa"
SHOW_IKEV2_SA = "show crypto ikev2 sa"


def max_input_bytes() -> int:
    """The size limit in bytes (:data:`DEFAULT_MAX_INPUT_MB` unless the env var says)."""
    raw = os.environ.get(MAX_INPUT_ENV, "").strip()
    try:
        megabytes = float(raw) if raw else float(DEFAULT_MAX_INPUT_MB)
    except ValueError:
        raise InputError(f"{MAX_INPUT_ENV}={raw!r}: expected a number of megabytes") from None
    return max(int(megabytes * 1024 * 1024), 1)


def check_input_size(size: int, what: str, limit: int | None = None) -> None:
    """Refuse (InputError, exit 17) an input larger than the limit, before reading it."""
    bound = max_input_bytes() if limit is None else limit
    if size > bound:
        raise InputError(
            f"{what} is {size / 1048576:.1f} MB, more than the {bound / 1048576:.1f} MB "
            f"vpn-doctor reads (set {MAX_INPUT_ENV} to raise the limit); cut the capture "
            "to the commands and the time window of the problem"
        )


# --- Normalisation ------------------------------------------------------------------------

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# A markdown/forum list marker in front of every line: "- ", "* ", "  12. ".
_LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+]|\d{1,5}[.)])(?:[ \t]|$)")
_UNICODE_SPACES = {ord(c): " " for c in "\u00a0\u2007\u2009\u200a\u202f\u3000"} | {
    ord("\ufeff"): None,  # a byte-order mark at the top of a Windows file
    ord("\u200b"): None,
}
_FENCE = re.compile(r"^\s*(?:```|~~~)")
_BOLD = re.compile(r"\*\*(\S(?:[^*]*\S)?)\*\*")
_MD_ESCAPE = re.compile(r"\\([_*#`\[\]])")


def _apply_backspaces(line: str) -> str:
    """``sh cryp\\b\\bry`` showed as ``sh cry``: each backspace erases the char before it."""
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


def _split_line_ends(text: str) -> list[str]:
    """Lines, whatever the line ends: LF, CRLF, CR only, or a mix with terminal repaints.

    A file whose lines end in CR only is split at every CR. In a LF file, a lone CR inside a
    line is a terminal repaint (the pager's ``<--- More --->`` is erased with CR + spaces +
    CR): what was painted last is kept.
    """
    text = text.replace("\r\n", "\n")
    if "\r" not in text:
        return text.split("\n")
    if text.count("\r") > text.count("\n"):
        # CR-only line ends; a pager erase is "\r<spaces>\r": it becomes a blank line.
        return text.replace("\r", "\n").split("\n")
    lines = []
    for line in text.split("\n"):
        if "\r" in line.rstrip("\r"):
            painted = [part for part in line.rstrip("\r").split("\r") if part.strip()]
            line = painted[-1] if painted else ""
        lines.append(line)
    return lines


def normalise_paste(raw: str) -> list[str]:
    """Clean lines from pasted text (see the module docstring); blank lines are kept."""
    if raw.count("\n") < 3 and raw.count("\\n") >= 3:
        # a JSON/escaped string pasted as is: "KEv1 SAs:\n\nActive SA: 1\n..."
        raw = raw.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\\t", "\t")
    if "\x1b" in raw:
        raw = _ANSI.sub("", raw)
    if not raw.isascii():
        raw = raw.translate(_UNICODE_SPACES)  # &nbsp; and friends from web pages
    lines: list[str] = []
    after_more = False
    for line in _split_line_ends(raw):
        had_more = "More" in line and bool(PAGER.search(line))
        if had_more:
            line = PAGER.sub("", line)
        line = _CONTROL.sub("", _apply_backspaces(line)).rstrip()
        if (had_more or after_more) and not line.strip():
            after_more = had_more  # the pager's blank-out line may follow the marker
            continue
        after_more = False
        lines.append(line)
    return strip_markdown(lines)


def strip_markdown(lines: list[str]) -> list[str]:
    """Remove list markers (when most lines carry one), fences, bold, ``\\_`` escapes and
    non-breaking spaces: what a page or a ticket adds to the device's lines."""
    nonblank = [line for line in lines if line.strip()]
    marked = sum(1 for line in nonblank if _LIST_MARKER.match(line))
    strip_markers = bool(nonblank) and marked * 10 >= len(nonblank) * 8
    out: list[str] = []
    for line in lines:
        if _FENCE.match(line):
            continue
        if strip_markers:
            line = _LIST_MARKER.sub("", line, count=1)
        if not line.isascii():
            line = line.translate(_UNICODE_SPACES)
        if "**" in line:
            line = _BOLD.sub(r"\1", line)
        if "\\" in line:
            line = _MD_ESCAPE.sub(r"\1", line)
        out.append(line)
    return out


# --- Lines without a prompt ---------------------------------------------------------------

#: A syslog or debug line, with any of the usual headers in front (syslog server, PRI,
#: timestamps, FTD's "%FTD-vpn-5-"): the message itself is what is recognised.
DEBUG_LINE = re.compile(
    r"%(?:ASA|PIX|FTD|FWSM)-(?:[a-z]+-)?\d-\d{6}"
    r"|\[IKEv[12]|IKEv2-(?:PROTO|PLAT)|^\s*IPSEC(?: DEBUG)?:|^\s*ISAKMP(?: DEBUG)?:"
)
# The start of a syslog line (header or message): a line that has none of these after a
# syslog line is the rest of that line, wrapped by the page it was copied from.
_SYSLOG_START = re.compile(
    r"^\s*(?:<\d{1,3}>|%(?:ASA|PIX|FTD|FWSM)-|\d{1,3}(?:\.\d{1,3}){3}[:\s]|\d{4}-\d\d-\d\d"
    r"|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) |(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"|\d\d:\d\d:\d\d|IKEv2-|\[IKEv|IPSEC|ISAKMP|!)"
)
_COMMENT = re.compile(r"^\s*!")
_WRAP_MIN = 60  # a page wraps long lines only: a short syslog line is whole
_SYSLOG_ID = re.compile(r"%(?:ASA|PIX|FTD|FWSM)-(?:[a-z]+-)?\d-\d{6}")

_IKEV1_MARK = re.compile(
    r"^\s*(?:\w*Ev1 SAs:|Active SA:\s*\d|Rekey SA:\s*\d|Total IKE SA:\s*\d|\d+\s+IKE Peer:"
    r"|There are no IKEv1 SAs|IKE Peer\s+Type\s+Dir\b)"
)
_IKEV2_MARK = re.compile(
    r"^\s*(?:IKEv2 SAs:|There are no IKEv2 SAs|Session-id:\d+,\s*Status:|Tunnel-id\s+Local\b)"
)
_IPSEC_MARK = re.compile(
    r"^\s*(?:interface:\s*\S+\s*$|peer address:\s*\S+\s*$|Crypto map tag:|There are no ipsec sas)",
    re.IGNORECASE,
)
# An IPsec block shown without its header (a cut paste, `| begin access-list`).
_IPSEC_HEADLESS = re.compile(r"^\s*(?:local ident \(addr|current_peer:|#pkts encaps:)")
_SESSION_MARK = re.compile(
    r"^\s*(?:Session Type:\s*LAN-to-LAN|Connection\s*:|INFO: There are presently no active)"
)
_CONFIG_MARKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s*(?:no )?crypto map \S+ "), SHOW_RUN_CRYPTO_MAP),
    (re.compile(r"^\s*crypto (?:ikev1|isakmp) "), SHOW_RUN_CRYPTO_IKEV1),
    (re.compile(r"^\s*crypto ikev2 "), SHOW_RUN_CRYPTO_IKEV2),
    (re.compile(r"^\s*crypto ipsec "), SHOW_RUN_CRYPTO_IPSEC),
    (re.compile(r"^\s*tunnel-group \S+ "), SHOW_RUN_TUNNEL_GROUP),
)
_ROUTE_MARK = re.compile(r"^\s*Codes: L - local")
_TRACE_MARK = re.compile(r"^\s*Phase: \d+\s*$")
# Outputs we recognise but do not read: they end the section before them and are named in
# :attr:`BareSplit.not_read` (so a refusal can say what it saw).
_NOT_READ: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s*VPN Session Summary"), "show vpn-sessiondb summary"),
    (re.compile(r"^\s*IPsec Global Statistics"), "show crypto ipsec stats"),
    (re.compile(r"^\s*VPN CTX\s*="), "show asp table vpn-context detail"),
)
_OTHER = "(not read)"


@dataclass
class BareSplit:
    """What :func:`split_bare` found: outputs by canonical command, debug lines, leftovers."""

    outputs: dict[str, str] = field(default_factory=dict)
    debug_lines: list[str] = field(default_factory=list)
    unrecognised: int = 0  # non-blank lines that belong to nothing we read
    not_read: list[str] = field(default_factory=list)  # outputs recognised but not read


def _section_kind(line: str, current: str | None) -> str | None:
    """The command whose output ``line`` starts (or clearly belongs to), else None."""
    if _IKEV1_MARK.match(line):
        return "ikev1" if current not in ("ikev1", "ikev2", "isakmp") else current
    if _IKEV2_MARK.match(line):
        return "ikev2" if current not in ("ikev1", "ikev2", "isakmp") else current
    if _IPSEC_MARK.match(line):
        return SHOW_IPSEC_SA
    if current is None and _IPSEC_HEADLESS.match(line):
        return SHOW_IPSEC_SA
    if _SESSION_MARK.match(line):
        return SHOW_SESSIONDB_L2L
    for regex, command in _CONFIG_MARKS:
        if regex.match(line):
            return command
    if _ROUTE_MARK.match(line):
        return SHOW_ROUTE
    if _TRACE_MARK.match(line):
        return PACKET_TRACER
    for regex, name in _NOT_READ:
        if regex.match(line):
            return f"{_OTHER}{name}"
    return None


def _ike_command(lines: Sequence[str]) -> str:
    """isakmp when both IKE versions show, else the one version the lines are about."""
    v1 = any(_IKEV1_MARK.match(line) for line in lines)
    v2 = any(_IKEV2_MARK.match(line) for line in lines)
    if v1 and v2:
        return SHOW_ISAKMP_SA
    return SHOW_IKEV2_SA if v2 else SHOW_IKEV1_SA


def join_wrapped(lines: Sequence[str]) -> list[str]:
    """Syslog/debug lines, with a line that continues the previous one joined to it."""
    out: list[str] = []
    for line in lines:
        if not line.strip() or _COMMENT.match(line):
            continue
        if (
            out
            and not line[0].isspace()  # debug's own continuation lines are indented
            and len(out[-1]) >= _WRAP_MIN
            and _SYSLOG_ID.search(out[-1])
            and not DEBUG_LINE.search(line)
            and not _SYSLOG_START.match(line)
        ):
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
            continue
        out.append(line.rstrip())
    return out


def split_bare(lines: Sequence[str]) -> BareSplit:
    """Sort prompt-less lines into command outputs and debug lines (module docstring)."""
    result = BareSplit()
    sections: list[tuple[str, list[str]]] = []
    pending: list[str] = []  # lines before the first recognisable one (a cut first line)
    debug_raw: list[str] = []
    debug_mode = False  # inside a run of debug lines: unmarked lines continue them
    current: str | None = None
    for line in lines:
        if not line.strip():
            if sections and current is not None and not current.startswith(_OTHER):
                sections[-1][1].append(line)
            continue
        if DEBUG_LINE.search(line):
            debug_raw.append(line)
            debug_mode = True
            continue
        kind = _section_kind(line, current)
        if kind is None and debug_mode:
            debug_raw.append(line)  # a wrapped syslog line or a debug detail line
            continue
        debug_mode = False
        if kind is not None and kind != current:
            current = kind
            sections.append((kind, [*pending, line] if not sections else [line]))
            pending = []
            continue
        if sections:
            sections[-1][1].append(line)
        else:
            pending.append(line)
    result.debug_lines = join_wrapped(debug_raw)
    result.unrecognised = sum(1 for line in pending if line.strip())
    for kind, body in sections:
        if kind.startswith(_OTHER):
            result.unrecognised += sum(1 for line in body if line.strip())
            result.not_read.append(kind[len(_OTHER) :])
            continue
        command = _ike_command(body) if kind in ("ikev1", "ikev2", "isakmp") else kind
        text = "\n".join(body).strip("\n")
        if command in result.outputs:
            if command.startswith("show running-config"):
                text = result.outputs[command] + "\n" + text
            else:
                del result.outputs[command]  # a repeated output: the later one wins
        result.outputs[command] = text
    return result

"""Shared machinery of the parsers: cleaning raw output, running a template, honest status.

Why a separate module: the three command parsers (isakmp, ipsec, sessiondb) all need the same
three things, and getting them wrong in one place would let a failed parse read as "no SA":

* :func:`prepare` turns whatever we were given (a live capture, a file written on Windows, a
  pasted terminal log) into clean lines, and says what it had to remove: CRLF, ANSI escapes,
  ``<--- More --->`` pager remnants, the prompt/echo line, and device errors
  (``% Invalid input``, ``ERROR:``, ``Command authorization failed``).
* :func:`run_template` runs one of *our* TextFSM templates with a fresh ``TextFSM`` object per
  parse (TextFSM objects carry state; sharing one between threads or calls corrupts results).
* :func:`finish` decides the :class:`~vpn_doctor.models.ParseStatus` from what was found, so
  every parser applies the same rules for OK / EMPTY / PARTIAL / FAILED.

textfsm is imported here and in the ``parsing*`` modules only (one heavy dependency per module).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar

import textfsm

from vpn_doctor.asa.output import PAGER, is_device_error
from vpn_doctor.models import ParseResult, ParseStatus
from vpn_doctor.parse.paste import strip_markdown
from vpn_doctor.resources import templates_dir

T = TypeVar("T")

Row = dict[str, Any]

# How many unrecognised lines we quote one by one before summarising: a wrong command's
# output could otherwise produce thousands of warnings.
MAX_LINE_WARNINGS = 20

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]")
# A device prompt, optionally followed by the echoed command: "fw1# show crypto isakmp sa",
# "fw1/ctx(config)# ...", "fw1> ". Hostnames have no spaces, so an SA line never looks like it.
_PROMPT = re.compile(r"^(?P<host>[A-Za-z0-9][\w.\-/]*)(?:\([\w\-/ .]*\))?[#>]\s*(?P<cmd>.*)$")
_INDEX_COMPLETION = re.compile(r"\[\[(.+?)\]\]")
_LIST_HINT = re.compile(r"\s*(?:[-*+]|\d{1,5}[.)])(?:[ \t]|$)")


@dataclass
class Prepared:
    """Output cleaned for parsing, with what we noticed on the way."""

    lines: list[str]
    warnings: list[str] = field(default_factory=list)
    degraded: bool = False  # something was lost or mixed in: the result can only be PARTIAL
    device_error: str = ""  # the ASA refused the command: nothing to parse

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _expand_completion(pattern: str) -> str:
    """ntc-templates index syntax: ``sh[[ow]]`` -> ``sh(o(w)?)?``."""

    def expand(match: re.Match[str]) -> str:
        chars = match.group(1)
        return "".join(f"({c}" for c in chars) + ")?" * len(chars)

    return _INDEX_COMPLETION.sub(expand, pattern)


@lru_cache(maxsize=1)
def _index_entries() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(template, compiled command regex) rows of templates/index, in file order."""
    path = templates_dir() / "index"
    entries: list[tuple[str, re.Pattern[str]]] = []
    header_seen = False
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ()
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not header_seen:  # "Template, Hostname, Platform, Command"
            header_seen = True
            continue
        parts = [part.strip() for part in line.split(",", 3)]
        if len(parts) != 4:
            continue
        try:
            entries.append((parts[0], re.compile(_expand_completion(parts[3]))))
        except re.error:
            continue
    return tuple(entries)


def template_for_command(command: str) -> str | None:
    """The template file the index maps ``command`` to (abbreviations allowed), or None.

    Used to check that an echoed command line left in a capture is the command we expected,
    e.g. ``sh cry isa sa`` for ``show crypto isakmp sa``.
    """
    normalized = " ".join(command.split())
    for template, regex in _index_entries():
        if regex.match(normalized):
            return template
    return None


def prepare(text: str, command: str) -> Prepared:
    """Clean raw output; record pager remnants, prompts and device errors.

    A prompt/echo line at the very top (the command we asked for) or a bare prompt at the very
    end is expected in pasted captures: it is removed with a note, and the result can still be
    OK. A prompt anywhere else means another command's output is mixed in: PARTIAL.
    """
    prepared = Prepared(lines=[])
    if not text:
        return prepared
    # Cheap whole-text checks first: the per-line regexes below only run when the text can
    # contain what they look for (a 5,000-tunnel output is ~240k lines).
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if "\x08" in text or "\x00" in text:
        text = text.replace("\x08", "").replace("\x00", "")
    lines = [raw.rstrip() for raw in text.splitlines()]
    if "**" in text or "\\" in text or "\xa0" in text or _LIST_HINT.match(text):
        lines = strip_markdown(lines)  # a snapshot file pasted from a web page or ticket

    if "More" in text:
        pager_hits = 0
        unpaged: list[str] = []
        for line in lines:
            if "More" in line and PAGER.search(line):
                pager_hits += 1
                line = PAGER.sub("", line)
                if not line.strip():
                    continue
            unpaged.append(line)
        lines = unpaged
        if pager_hits:
            prepared.degraded = True
            prepared.warnings.append(
                f"pager prompt '<--- More --->' found {pager_hits} time(s): the output was "
                "captured with paging on, lines may be missing or joined (use 'terminal pager 0')"
            )

    if "#" in text or ">" in text:
        lines = _drop_prompts(lines, command, prepared)
    prepared.lines = lines

    if "ERROR" in text or "%" in text or "authorization" in text:
        errors = [line.strip() for line in lines if is_device_error(line)]
        if errors:
            prepared.device_error = " / ".join(errors[:3])
    return prepared


def _drop_prompts(lines: list[str], command: str, prepared: Prepared) -> list[str]:
    """Remove prompt/echo lines; only column-0 lines with '#' or '>' can be prompts."""
    expected_template = template_for_command(command)
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    first = nonblank[0] if nonblank else -1
    last = nonblank[-1] if nonblank else -1
    kept: list[str] = []
    for i, line in enumerate(lines):
        match = None
        head = line.lstrip()  # a prompt indented by markdown is still a prompt
        if head[:1].isalnum() and ("#" in line or ">" in line):
            match = _PROMPT.match(head)
        if match is None:
            kept.append(line)
            continue
        echoed = match.group("cmd").strip()
        echoed = echoed.lower() if echoed.isupper() else echoed
        same_command = " ".join(echoed.split()) == " ".join(command.split()) or (
            expected_template is not None and template_for_command(echoed) == expected_template
        )
        if i == first and echoed and same_command:
            prepared.warnings.append(f"ignored the command echo line: {line.strip()!r}")
            continue
        if i == last and not echoed:
            prepared.warnings.append(f"ignored the trailing prompt line: {line.strip()!r}")
            continue
        prepared.degraded = True
        prepared.warnings.append(
            f"prompt line inside the output (another command's output mixed in?): {line.strip()!r}"
        )
    return kept


@cache
def _template_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def run_template(template: str, text: str) -> list[Row]:
    """Parse ``text`` with ``templates/<template>``; a fresh TextFSM object every call.

    The template text is cached (reading a file per parse is waste), the FSM is not.
    Raises whatever textfsm raises; callers turn that into a FAILED result.
    """
    source = _template_text(templates_dir() / template)
    fsm = textfsm.TextFSM(io.StringIO(source))
    header: list[str] = fsm.header
    # ParseText + one zip, not ParseTextToDicts: that rebuilds the header for every row.
    return [dict(zip(header, row, strict=True)) for row in fsm.ParseText(text)]


def unknown_line_warnings(context: str, lines: Iterable[str], budget: list[int]) -> list[str]:
    """One warning per unrecognised line, up to a shared budget (``budget[0]`` is decremented)."""
    out: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        if budget[0] <= 0:
            budget[1] += 1
            continue
        budget[0] -= 1
        out.append(f"{context}unrecognised line: {line.strip()!r}")
    return out


def new_budget() -> list[int]:
    """[remaining quoted warnings, lines not quoted]."""
    return [MAX_LINE_WARNINGS, 0]


def budget_summary(budget: list[int]) -> list[str]:
    if budget[1]:
        return [f"... and {budget[1]} more unrecognised line(s) not quoted"]
    return []


def failed(command: str, *warnings: str) -> ParseResult[Any]:
    return ParseResult(command=command, status=ParseStatus.FAILED, warnings=tuple(warnings))


def safely(command: str, work: Callable[[], ParseResult[T]]) -> ParseResult[T]:
    """Run a parse; a bug in our code becomes a FAILED result, never an exception.

    A diagnosis run over 200 firewalls must not die because one of them printed something
    that trips a parser bug; the warning says what happened so it can be reported.
    """
    try:
        return work()
    except Exception as exc:
        return failed(
            command, f"internal parser error (please report): {type(exc).__name__}: {exc}"
        )


def finish(
    command: str,
    records: Sequence[T],
    warnings: Sequence[str],
    *,
    degraded: bool,
    recognised: bool,
    empty_marker: bool,
) -> ParseResult[T]:
    """The one place that decides a status, so every parser means the same by it.

    * records and nothing odd: OK; records and something odd (``degraded``): PARTIAL.
    * no records, the device said so ("There are no IKEv1 SAs"), nothing odd: EMPTY.
    * no records and something was recognised (headers, counters) but no "none" marker, or
      the marker plus odd lines: PARTIAL with zero records. Never EMPTY: we cannot tell.
    * nothing recognised at all: FAILED.
    """
    warns = tuple(warnings)
    if records:
        status = ParseStatus.PARTIAL if degraded else ParseStatus.OK
    elif empty_marker and not degraded:
        status = ParseStatus.EMPTY
    elif recognised or empty_marker:
        status = ParseStatus.PARTIAL
        if not degraded:
            warns += ("output recognised but no SA/session records and no 'none' line: truncated?",)
    else:
        status = ParseStatus.FAILED
        warns += (f"output not recognised as '{command}'",)
    return ParseResult(command=command, status=status, records=tuple(records), warnings=warns)


def guarded_prepare(text: str, command: str) -> tuple[Prepared, ParseResult[Any] | None]:
    """prepare() plus the two early exits every parser shares: no output, device error."""
    prepared = prepare(text if isinstance(text, str) else "", command)
    if not any(line.strip() for line in prepared.lines):
        what = "empty output" if not text or not text.strip() else "nothing left after cleaning"
        return prepared, failed(
            command,
            *prepared.warnings,
            f"{what}: the device prints a 'none' line when there is nothing, so an empty "
            "capture means we cannot tell",
        )
    if prepared.device_error:
        return prepared, failed(
            command, *prepared.warnings, f"device error: {prepared.device_error}"
        )
    return prepared, None


def to_int(value: Any) -> int | None:
    """'123' -> 123; '', None, junk -> None."""
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def segment(
    lines: Sequence[str],
    header: re.Pattern[str],
    stop: re.Pattern[str],
    maybe: Callable[[str], bool],
) -> list[list[str]]:
    """Cut lines into blocks that start at ``header`` lines; a ``stop`` line ends a block.

    Mirrors the Continue.Record rules of the templates, so block *k* holds the device lines of
    the *k*-th record: done in Python because a TextFSM List of every line costs ~0.6 s per
    5,000 IPsec SAs, and this loop costs ~0.05 s. ``maybe(line)`` is a cheap test that is
    True for every header and stop line; the regexes only run on those.
    """
    return list(iter_segments(lines, header, stop, maybe))


def iter_segments(
    lines: Iterable[str],
    header: re.Pattern[str],
    stop: re.Pattern[str],
    maybe: Callable[[str], bool],
) -> Iterator[list[str]]:
    """:func:`segment`, lazily: each block is yielded once the line after it has been read.

    For a parser that consumes its records as they come, so that at most one block is alive
    at a time (fewer long-lived objects: less garbage-collector work on big outputs).
    """
    current: list[str] | None = None
    for line in lines:
        if not line or line.isspace():
            continue
        if maybe(line):
            if header.match(line):
                if current is not None:
                    yield current
                current = [line]
                continue
            if stop.match(line):
                if current is not None:
                    yield current
                current = None
                continue
        if current is not None:
            current.append(line)
    if current is not None:
        yield current

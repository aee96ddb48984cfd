"""Plumbing shared by the configuration parsers (``parsing_config_*``).

Every parser walks its output the same way: number the lines, drop prompt echoes and pager
marks, mask secrets, and count what it understood so the :class:`~vpn_doctor.models.
ParseResult` status is honest. Keeping that here means each parser module holds only the
grammar of its own command. ntc-templates are driven line by line from here too, so one bad
line costs a warning instead of the whole output.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import ntc_templates
import textfsm

from vpn_doctor.asa.output import is_device_error, is_pager_line
from vpn_doctor.config_models import MASKED_SECRET
from vpn_doctor.masking import mask_secrets
from vpn_doctor.models import ParseResult, ParseStatus

R = TypeVar("R")

_PROMPT_ECHO = re.compile(r"^\S+(?:\([\w-]+\))?[#>]\s*\S")
_PSK = re.compile(r"(pre-shared-key\s+hex\s+)(?!\*+(?:\s|$))\S+")


def mask_secrets_in_line(line: str) -> str:
    """Mask every secret on the line; keys never enter a model.

    :func:`vpn_doctor.masking.mask_secrets` is the project's masking; the local rule runs
    first only for the ``pre-shared-key hex KEY`` form, whose key it would otherwise miss.
    """
    return mask_secrets(_PSK.sub(lambda m: m.group(1) + MASKED_SECRET, line))


@dataclass
class Collector:
    """Per-parse bookkeeping: warnings and how many lines were understood."""

    command: str
    warnings: list[str] = field(default_factory=list)
    recognised: int = 0
    unrecognised: int = 0
    device_error: bool = False

    def ok(self) -> None:
        self.recognised += 1

    def bad(self, number: int, line: str, why: str = "unrecognised line") -> None:
        self.unrecognised += 1
        self.warnings.append(f"{self.command}: line {number}: {why}: {line.strip()!r}")

    def result(self, records: Iterable[R]) -> ParseResult[R]:
        recs = tuple(records)
        if self.device_error:
            status = ParseStatus.FAILED
        elif not recs and self.recognised == 0 and self.unrecognised == 0:
            status = ParseStatus.EMPTY
        elif not recs and self.recognised == 0:
            status = ParseStatus.FAILED
        elif self.unrecognised:
            status = ParseStatus.PARTIAL
        else:
            status = ParseStatus.OK if recs else ParseStatus.EMPTY
        return ParseResult(self.command, status, recs, tuple(self.warnings))


def prepare(text: str, col: Collector, *, keep_blank: bool = False) -> list[tuple[int, str]]:
    """Numbered, de-indented, secret-masked lines; drops the echoed prompt and pager marks.

    Pasted outputs are often indented as a whole (the AWS 8.x sample is), which would make
    every top-level statement look like a sub-command; ``textwrap.dedent`` removes that.
    """
    text = textwrap.dedent(text.expandtabs())
    out: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if is_pager_line(line) or (not line.strip() and not keep_blank):
            continue
        if is_device_error(line):
            col.device_error = True
            col.warnings.append(f"{col.command}: device error: {line.strip()}")
            continue
        if _PROMPT_ECHO.match(line) and (" show " in f" {line} " or "packet-tracer" in line):
            continue
        out.append((number, mask_secrets_in_line(line)))
    return out


def to_int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def blocks(
    lines: list[tuple[int, str]],
) -> Iterator[tuple[int, str, list[tuple[int, str]]]]:
    """Group a config into (number, top-level line, its indented children)."""
    current: tuple[int, str, list[tuple[int, str]]] | None = None
    for number, line in lines:
        if line[:1].isspace():
            if current is None:
                current = (number, "", [])
            current[2].append((number, line))
            continue
        if current is not None:
            yield current
        current = (number, line, [])
    if current is not None:
        yield current


def ntc_template(name: str) -> Path:
    return Path(ntc_templates.__file__).resolve().parent / "templates" / name


def run_template(
    template: Path, lines: list[tuple[int, str]], col: Collector
) -> list[tuple[dict[str, Any], tuple[str, ...]]]:
    """Feed a TextFSM template one line at a time so one bad line costs a warning, not the
    whole output. Returns rows with the input lines consumed since the previous row."""
    with template.open(encoding="utf-8") as handle:
        fsm = textfsm.TextFSM(handle)  # a fresh FSM per parse: TextFSM objects keep state
    rows: list[tuple[dict[str, Any], tuple[str, ...]]] = []
    pending: list[str] = []

    def harvest(result: list[list[Any]]) -> None:
        while len(rows) < len(result):
            rows.append((dict(zip(fsm.header, result[len(rows)], strict=False)), tuple(pending)))
            pending.clear()

    for number, line in lines:
        try:
            result = fsm.ParseText(line + "\n", eof=False)
        except textfsm.TextFSMError:
            col.bad(number, line)
            continue
        if line.strip():  # blank lines drive the template (Clearall) but prove nothing
            col.ok()
            pending.append(line)
        harvest(result)
    harvest(fsm.ParseText("", eof=True))
    return rows

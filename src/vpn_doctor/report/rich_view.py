"""Terminal rendering of a diagnosis with rich (the only diagnosis module importing rich).

Per tunnel: a tree of the walk through the playbook (every decision, including the quiet
"no" steps the JSON path leaves out, dimmed), then a findings table coloured by severity,
then the evidence, checks and fix of the most likely cause. Colours carry meaning only in
addition to words, so the output still reads on a monochrome terminal or in a log file.

Hub firewalls: laying out a tree, a table and a panel per tunnel cost ~3.6 ms per tunnel
(5,000 tunnels: 23 s against 5 s for JSON). Above ``PLAIN_ABOVE`` tunnels the same content
(walk, findings, the first finding's detail) is written as styled lines in one text block,
with no per-tunnel widgets to measure and lay out (bench/bench_snapshot.py: rich vs JSON).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.control import strip_control_codes
from rich.markup import escape
from rich.panel import Panel
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from vpn_doctor.diagnose.findings import DiagnosisReport, Finding, TunnelDiagnosis
from vpn_doctor.report.formats import VERDICT_WORDS, sorted_tunnels

SEVERITY_STYLE = {"critical": "bold red", "warning": "yellow", "info": "cyan"}
_CONTROL = re.compile("[\x07\x08\x0b\x0c\x0d]")
PLAIN_ABOVE = 50  # tunnels; above this, one text block instead of widgets per tunnel
VERDICT_STYLE = {
    "up": "bold green",
    "degraded": "bold yellow",
    "down": "bold red",
    "unknown": "bold magenta",
}


def _walk_tree(tunnel: TunnelDiagnosis) -> Tree:
    verdict = VERDICT_WORDS.get(tunnel.verdict, tunnel.verdict)
    style = VERDICT_STYLE.get(tunnel.verdict, "bold")
    tree = Tree(Text.assemble((tunnel.peer, "bold"), "  ", (verdict, style)))
    for step in tunnel.steps:
        if step.answer is None:
            tree.add(Text(step.text, style="bold"))
        elif step.shown:
            tree.add(Text(step.text))
        else:
            tree.add(Text(step.text, style="dim"))
    return tree


def _findings_table(findings: tuple[Finding, ...]) -> Table:
    table = Table(show_lines=False, expand=False, title="Findings (most likely first)")
    table.add_column("#", justify="right")
    table.add_column("Severity")
    table.add_column("Code")
    table.add_column("Title")
    table.add_column("Confidence")
    for index, finding in enumerate(findings, start=1):
        style = SEVERITY_STYLE.get(finding.severity, "")
        table.add_row(
            str(index),
            Text(finding.severity, style=style),
            Text(finding.code, style=style),
            finding.title,
            finding.confidence,
        )
    return table


def _detail(finding: Finding) -> Panel:
    parts: list[Text | Table] = []
    if finding.meaning:
        parts.append(Text(finding.meaning))
    if finding.evidence:
        parts.append(Text("Evidence (device lines):", style="bold"))
        parts.extend(Text("  " + line, style="green") for line in finding.evidence)
    if finding.checks:
        parts.append(Text("Checks (read-only):", style="bold"))
        parts.extend(Text("  " + check) for check in finding.checks)
    if finding.remediation:
        parts.append(Text("Remediation (never applied by vpn-doctor):", style="bold"))
        parts.extend(Text("  " + line) for line in finding.remediation)
    if finding.alternatives:
        parts.append(Text(f"Also consistent with: {', '.join(finding.alternatives)}"))
    style = SEVERITY_STYLE.get(finding.severity, "")
    title = f"[{style}]{escape(finding.code)}[/]: {escape(finding.title)}"
    return Panel(Group(*parts), title=title, title_align="left")


class _PlainBlock:
    """Many tunnels as styled lines: what the tree, table and panel show, without widgets.

    Yields rich Segments directly (no Text objects to divide into lines and measure), so the
    cost is one short string per line; styles still carry colour on a terminal.
    """

    def __init__(self, tunnels: list[TunnelDiagnosis]) -> None:
        self.tunnels = tunnels

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        styles: dict[str, Style] = {}

        def seg(line: str, style: str = "") -> Segment:
            if _CONTROL.search(line):  # what Text() would strip (bell, backspace, CR, ...)
                line = strip_control_codes(line)
            if style not in styles:
                styles[style] = Style.parse(style) if style else Style()
            return Segment(line, styles[style])

        for tunnel in self.tunnels:
            yield from self._tunnel(tunnel, seg)

    @staticmethod
    def _tunnel(tunnel: TunnelDiagnosis, seg: Callable[..., Segment]) -> Iterator[Segment]:
        verdict = VERDICT_WORDS.get(tunnel.verdict, tunnel.verdict)
        yield seg(tunnel.peer, "bold")
        yield seg("  ")
        yield seg(verdict, VERDICT_STYLE.get(tunnel.verdict, "bold"))
        yield seg("\n")
        for step in tunnel.steps:
            style = "bold" if step.answer is None else ("" if step.shown else "dim")
            yield seg(f"  - {step.text}", style)
            yield seg("\n")
        for index, finding in enumerate(tunnel.findings, start=1):
            yield seg(f"  {index}. ")
            severity = SEVERITY_STYLE.get(finding.severity, "")
            yield seg(f"{finding.severity} {finding.code}", severity)
            yield seg(f": {finding.title} ({finding.confidence})\n")
        if tunnel.findings:
            first = tunnel.findings[0]
            if first.meaning:
                yield seg(f"     {first.meaning}\n")
            for label, lines, style in (
                ("Evidence (device lines):", first.evidence, "green"),
                ("Checks (read-only):", first.checks, ""),
                ("Remediation (never applied by vpn-doctor):", first.remediation, ""),
            ):
                if lines:
                    yield seg(f"     {label}", "bold")
                    yield seg("\n")
                    for line in lines:
                        yield seg(f"       {line}", style)
                        yield seg("\n")
            if first.alternatives:
                yield seg(f"     Also consistent with: {', '.join(first.alternatives)}\n")
        yield seg("\n")


def render_rich(report: DiagnosisReport, console: Console | None = None) -> None:
    """Print the report to ``console`` (a new stdout Console by default)."""
    console = console or Console()
    header = report.hostname or "device"
    if report.version:
        header += f" (ASA {report.version})"
    console.rule(f"vpn-doctor diagnosis: {escape(header)}")
    for note in report.notes:
        console.print(Text(f"note: {note}", style="dim"))
    tunnels = sorted_tunnels(report)
    if not tunnels:
        console.print("No tunnel found in the outputs.")
    if len(tunnels) > PLAIN_ABOVE:
        console.print(_PlainBlock(tunnels), soft_wrap=True)
        return
    for tunnel in tunnels:
        console.print(_walk_tree(tunnel))
        if tunnel.findings:
            console.print(_findings_table(tunnel.findings))
            console.print(_detail(tunnel.findings[0]))
        console.print()


def render_rich_text(report: DiagnosisReport, width: int = 100) -> str:
    """The rich rendering as plain text (no colour codes), for tests and logs."""
    buffer = io.StringIO()
    render_rich(report, Console(file=buffer, width=width, color_system=None, force_terminal=False))
    return buffer.getvalue()

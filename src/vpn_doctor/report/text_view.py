"""Plain-text rendering of a diagnosis: what `diagnose` prints when stdout is not a terminal.

Why not rich here: rich wraps at 80 columns when it cannot ask the terminal, which breaks
evidence lines and commands in a log or a ticket. This renderer writes each line whole, in
the triage order (headline, summary table, then the runbook of each unhealthy tunnel), with
the same building blocks as the rich view (:mod:`~vpn_doctor.report.triage`,
:mod:`~vpn_doctor.report.ladder`, :mod:`~vpn_doctor.report.runbook`). No rich import.
"""

from __future__ import annotations

from vpn_doctor.diagnose.findings import DiagnosisReport, Finding, TunnelDiagnosis
from vpn_doctor.report.ladder import ladder, ladder_text
from vpn_doctor.report.runbook import Step, cidr, proxies_line, runbook
from vpn_doctor.report.triage import (
    Selection,
    detailed_tunnels,
    headline,
    summary_rows,
    summary_table_lines,
)

VERDICT_WORDS = {"unknown": "unknown (could not determine)"}


def tunnel_heading(tunnel: TunnelDiagnosis) -> str:
    name = f" ({tunnel.name})" if tunnel.name else ""
    return f"{tunnel.peer}{name}: {VERDICT_WORDS.get(tunnel.verdict, tunnel.verdict)}"


def check_lines(steps: tuple[Step, ...]) -> list[str]:
    """Commands alone on their lines; the prose after them, marked ``->``."""
    out: list[str] = []
    for step in steps:
        out += list(step.lines)
        if step.note:
            out.append(f"  -> {step.note}" if step.lines else f"-> {step.note}")
    return out


def fix_lines(steps: tuple[Step, ...]) -> list[str]:
    """One block to paste in configuration mode: the prose as ``!`` comment lines, which
    the ASA ignores."""
    out: list[str] = []
    for step in steps:
        if step.note:
            out.append(f"! {step.note}")
        out += list(step.lines)
    return out


def _section(label: str, lines: list[str], indent: str) -> list[str]:
    return [f"{indent}{label}", *(f"{indent}  {line}" for line in lines)] if lines else []


def finding_lines(index: int, finding: Finding, tunnel: TunnelDiagnosis) -> list[str]:
    book = runbook(finding, tunnel)
    out = [f"  {index}. {finding.code} [{finding.severity}, {finding.confidence}] {finding.title}"]
    if finding.meaning:
        out.append(f"     {cidr(finding.meaning)}")
    if book.evidence:
        out.append("     Evidence (as the device printed it):")
        out += [f"       {line}" for line in book.evidence]
    out += _section("Check (read-only commands):", check_lines(book.checks), "     ")
    out += _section(
        "Fix (configuration to paste; never applied by vpn-doctor):",
        fix_lines(book.remediation),
        "     ",
    )
    if finding.alternatives:
        out.append(f"     Also consistent with: {', '.join(finding.alternatives)}")
    return out


def tunnel_lines(tunnel: TunnelDiagnosis, device: str) -> list[str]:
    out = [f"== {tunnel_heading(tunnel)}"]
    proxies = proxies_line(tunnel)
    if proxies:
        out.append(f"  proxies: {proxies}")
    item = ladder(tunnel)
    if item is not None:
        out += ["", *(f"  {line}" for line in ladder_text(item, device).splitlines()), ""]
    if tunnel.path:
        out.append("  Path:")
        out += [f"    {n}. {cidr(step)}" for n, step in enumerate(tunnel.path, start=1)]
    for index, finding in enumerate(tunnel.findings, start=1):
        out += finding_lines(index, finding, tunnel)
    return out


def render_text(report: DiagnosisReport, selection: Selection | None = None) -> str:
    """The whole report as plain text lines, the down tunnels on the first screen."""
    selection = selection or Selection()
    version = f"  (ASA {report.version})" if report.version else ""
    out = [headline(report) + version]
    rows = summary_rows(report, selection)
    if rows:
        out += summary_table_lines(rows)
    for finding in report.device_findings:
        out.append(f"device: {finding.code} [{finding.severity}] {finding.title}")
    out += [f"note: {note}" for note in report.notes]
    device = report.hostname or "ASA"
    for tunnel in detailed_tunnels(report, selection):
        out += ["", *tunnel_lines(tunnel, device)]
    return "\n".join(out) + "\n"

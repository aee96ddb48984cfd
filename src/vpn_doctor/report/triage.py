"""Triage at a glance: the headline, the summary rows and which tunnels get details.

Why: on a firewall with 60 tunnels the two that are down must be on the first screen, not at
line 719. Every renderer (rich, plain text, Markdown, HTML) starts with the same headline
(``fw1: 2 down, 1 degraded, 57 up``) and one row per tunnel, worst first (down, unknown,
degraded, up), then details only for the tunnels that are not healthy unless ``--all``.
``--only-problems`` drops the healthy rows too. Pure functions over the report model.
"""

from __future__ import annotations

from dataclasses import dataclass

from vpn_doctor.diagnose.findings import DiagnosisReport, TunnelDiagnosis, peer_sort_key

TRIAGE_ORDER: dict[str, int] = {"down": 0, "unknown": 1, "degraded": 2, "up": 3}
HEALTHY_REASON = "phase 1 up, IPsec SAs present, traffic both ways"


@dataclass(frozen=True)
class Selection:
    """What the user asked to see: ``all_details`` (--all), ``only_problems``."""

    all_details: bool = False
    only_problems: bool = False


@dataclass(frozen=True)
class SummaryRow:
    peer: str
    name: str
    verdict: str
    code: str
    reason: str


def triage_sorted(report: DiagnosisReport) -> list[TunnelDiagnosis]:
    """Worst first (down, unknown, degraded, up), then by peer address."""
    return sorted(
        report.tunnels, key=lambda t: (TRIAGE_ORDER.get(t.verdict, 1), peer_sort_key(t.peer))
    )


def is_problem(tunnel: TunnelDiagnosis) -> bool:
    return tunnel.verdict != "up"


def headline(report: DiagnosisReport) -> str:
    """``fw1: 2 down, 1 degraded, 57 up`` (only the verdicts present; worst first)."""
    device = report.hostname or report.host or "device"
    if not report.tunnels:
        return f"{device}: no tunnel found"
    counts = {verdict: 0 for verdict in TRIAGE_ORDER}
    for tunnel in report.tunnels:
        counts[tunnel.verdict if tunnel.verdict in counts else "unknown"] += 1
    parts = [f"{n} {verdict}" for verdict, n in counts.items() if n]
    return f"{device}: {', '.join(parts)}"


def reason(tunnel: TunnelDiagnosis) -> str:
    """One line: the root cause's title (healthy: what healthy means here)."""
    top = tunnel.root_cause
    if top is None:
        return "no finding"
    if top.code == "TUNNEL_HEALTHY":
        return HEALTHY_REASON
    return " ".join(top.title.split())


def summary_rows(report: DiagnosisReport, selection: Selection) -> list[SummaryRow]:
    rows = []
    for tunnel in triage_sorted(report):
        if selection.only_problems and not is_problem(tunnel):
            continue
        top = tunnel.root_cause
        rows.append(
            SummaryRow(
                peer=tunnel.peer,
                name=tunnel.name or "-",
                verdict=tunnel.verdict,
                code=top.code if top else "-",
                reason=reason(tunnel),
            )
        )
    return rows


def detailed_tunnels(report: DiagnosisReport, selection: Selection) -> list[TunnelDiagnosis]:
    """Tunnels whose details are shown: the unhealthy ones, or all with --all (never the
    healthy ones with --only-problems)."""
    return [
        t
        for t in triage_sorted(report)
        if is_problem(t) or (selection.all_details and not selection.only_problems)
    ]


SUMMARY_HEADERS = ("PEER", "NAME", "VERDICT", "FIRST CODE", "REASON")


def summary_table_lines(rows: list[SummaryRow]) -> list[str]:
    """A plain fixed-width table (no wrapping: a log keeps each row on one line)."""
    cells = [SUMMARY_HEADERS] + [(r.peer, r.name, r.verdict, r.code, r.reason) for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(SUMMARY_HEADERS) - 1)]
    lines = []
    for row in cells:
        padded = (cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True))
        lines.append("  ".join(padded) + "  " + row[-1])
    return lines

"""Render a :class:`~vpn_doctor.findings.DiagnosisReport` as JSON (Contract 2) or Markdown.

Both outputs are deterministic so they can be diffed and golden-tested: tunnels sorted by
peer (addresses numerically), keys in Contract 2 order (never alphabetical: ``schema`` and
``device`` come first for a human reading the file), no timestamps. The evidence lines are
the device's own (already secret-masked at collection), quoted verbatim.

Rich terminal output lives in :mod:`vpn_doctor.render_rich` (rich is imported only there).
"""

from __future__ import annotations

import json
from typing import Any

from vpn_doctor.findings import DiagnosisReport, Finding, TunnelDiagnosis, peer_sort_key

VERDICT_WORDS = {
    "up": "up",
    "degraded": "degraded",
    "down": "down",
    "unknown": "unknown (could not determine)",
}


def sorted_tunnels(report: DiagnosisReport) -> list[TunnelDiagnosis]:
    return sorted(report.tunnels, key=lambda t: peer_sort_key(t.peer))


def to_json_dict(report: DiagnosisReport) -> dict[str, Any]:
    """Contract 2 with tunnels sorted by peer."""
    data = report.to_contract_dict()
    data["tunnels"] = [t.to_contract_dict() for t in sorted_tunnels(report)]
    return data


def render_json(report: DiagnosisReport) -> str:
    """Contract 2 as indented JSON with a trailing newline (stable for diffs and goldens)."""
    return json.dumps(to_json_dict(report), indent=2, ensure_ascii=False) + "\n"


# ---- Markdown -----------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code_block(lines: tuple[str, ...]) -> list[str]:
    fence = "````" if any("```" in line for line in lines) else "```"
    return [fence, *lines, fence]


def _finding_md(index: int, finding: Finding) -> list[str]:
    out = [
        f"### {index}. {finding.code} ({finding.severity}, {finding.confidence})",
        "",
        f"**{finding.title}**",
        "",
    ]
    if finding.meaning:
        out += [finding.meaning, ""]
    if finding.evidence:
        out += ["Evidence (device lines):", "", *_code_block(finding.evidence), ""]
    if finding.checks:
        out += ["Checks (read-only):", "", *(f"- `{c}`" for c in finding.checks), ""]
    if finding.remediation:
        out += [
            "Remediation (not applied by vpn-doctor):",
            "",
            *(f"- `{r}`" for r in finding.remediation),
            "",
        ]
    if finding.alternatives:
        out += [f"Also consistent with: {', '.join(finding.alternatives)}", ""]
    return out


def _tunnel_md(tunnel: TunnelDiagnosis) -> list[str]:
    out = [f"## {tunnel.peer}: {VERDICT_WORDS.get(tunnel.verdict, tunnel.verdict)}", ""]
    if tunnel.path:
        out += ["Path through the troubleshooting tree:", ""]
        out += [f"{n}. {step}" for n, step in enumerate(tunnel.path, start=1)]
        out.append("")
    for index, finding in enumerate(tunnel.findings, start=1):
        out += _finding_md(index, finding)
    return out


def render_markdown(report: DiagnosisReport) -> str:
    """A report an engineer can paste into a ticket: summary table, then each tunnel."""
    device = report.hostname or "device"
    version = f" (ASA {report.version})" if report.version else ""
    out = [f"# vpn-doctor diagnosis: {device}{version}", ""]
    tunnels = sorted_tunnels(report)
    if tunnels:
        out += ["| Peer | Verdict | Most likely cause | Severity |", "|---|---|---|---|"]
        for tunnel in tunnels:
            top = tunnel.root_cause
            cause = f"{top.code}: {top.title}" if top else "-"
            severity = top.severity if top else "-"
            out.append(f"| {tunnel.peer} | {tunnel.verdict} | {_cell(cause)} | {severity} |")
        out.append("")
    else:
        out += ["No tunnel found in the outputs.", ""]
    if report.notes:
        out += ["Notes:", "", *(f"- {note}" for note in report.notes), ""]
    for tunnel in tunnels:
        out += _tunnel_md(tunnel)
    return "\n".join(out).rstrip("\n") + "\n"

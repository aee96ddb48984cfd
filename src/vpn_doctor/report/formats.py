"""Render a :class:`~vpn_doctor.diagnose.findings.DiagnosisReport` as JSON (Contract 2) or Markdown.

Both outputs are deterministic so they can be diffed and golden-tested: tunnels sorted by
peer (addresses numerically), keys in Contract 2 order (never alphabetical: ``schema`` and
``device`` come first for a human reading the file), no timestamps. The evidence lines are
the device's own (already secret-masked at collection), quoted verbatim.

Rich terminal output lives in :mod:`vpn_doctor.report.rich_view` (rich is imported only there).
"""

from __future__ import annotations

import json
from typing import Any

from vpn_doctor.diagnose.findings import (
    VERDICTS,
    DiagnosisReport,
    Finding,
    TunnelDiagnosis,
    peer_sort_key,
)

VERDICT_WORDS = {
    "up": "up",
    "degraded": "degraded",
    "down": "down",
    "unknown": "unknown (could not determine)",
}


def sorted_tunnels(report: DiagnosisReport) -> list[TunnelDiagnosis]:
    return sorted(report.tunnels, key=lambda t: peer_sort_key(t.peer))


def to_json_dict(report: DiagnosisReport, selection: Any = None) -> dict[str, Any]:
    """Contract 2 with tunnels sorted by peer (only the unhealthy ones with
    ``selection.only_problems``)."""
    data = report.to_contract_dict()
    only_problems = bool(getattr(selection, "only_problems", False))
    data["tunnels"] = [
        t.to_contract_dict()
        for t in sorted_tunnels(report)
        if not only_problems or t.verdict != "up"
    ]
    return data


def render_json(report: DiagnosisReport, selection: Any = None) -> str:
    """Contract 2 as indented JSON with a trailing newline (stable for diffs and goldens)."""
    return json.dumps(to_json_dict(report, selection), indent=2, ensure_ascii=False) + "\n"


# ---- Markdown -----------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code_block(lines: tuple[str, ...]) -> list[str]:
    fence = "````" if any("```" in line for line in lines) else "```"
    return [fence, *lines, fence]


def _finding_md(index: int, finding: Finding, tunnel: TunnelDiagnosis) -> list[str]:
    from vpn_doctor.report.runbook import cidr, runbook
    from vpn_doctor.report.text_view import fix_lines

    book = runbook(finding, tunnel)
    out = [
        f"### {index}. {finding.code} ({finding.severity}, {finding.confidence})",
        "",
        f"**{finding.title}**",
        "",
    ]
    if finding.meaning:
        out += [cidr(finding.meaning), ""]
    if book.evidence:
        out += ["Evidence (as the device printed it):", "", *_code_block(book.evidence), ""]
    if book.checks:
        out += ["Check (read-only commands):", ""]
        pending: list[str] = []
        for step in book.checks:
            if not step.note:
                pending += step.lines
                continue
            if pending:
                out += [*_code_block(tuple(pending)), ""]
                pending = []
            if step.lines:
                out += [*_code_block(step.lines), f"^ {step.note}", ""]
            else:
                out += [step.note, ""]
        if pending:
            out += [*_code_block(tuple(pending)), ""]
    fixes = fix_lines(book.remediation)
    if fixes:
        out += [
            "Fix (configuration to paste; never applied by vpn-doctor):",
            "",
            *_code_block(tuple(fixes)),
            "",
        ]
    if finding.alternatives:
        out += [f"Also consistent with: {', '.join(finding.alternatives)}", ""]
    return out


def _tunnel_md(tunnel: TunnelDiagnosis, device: str) -> list[str]:
    from vpn_doctor.report.ladder import ladder, ladder_text
    from vpn_doctor.report.runbook import cidr, proxies_line

    name = f" ({tunnel.name})" if tunnel.name else ""
    out = [f"## {tunnel.peer}{name}: {VERDICT_WORDS.get(tunnel.verdict, tunnel.verdict)}", ""]
    proxies = proxies_line(tunnel)
    if proxies:
        out += [f"Proxies: {proxies}", ""]
    item = ladder(tunnel)
    if item is not None:
        out += ["```text", *ladder_text(item, device).splitlines(), "```", ""]
    if tunnel.path:
        out += ["Path through the troubleshooting tree:", ""]
        out += [f"{n}. {cidr(step)}" for n, step in enumerate(tunnel.path, start=1)]
        out.append("")
    for index, finding in enumerate(tunnel.findings, start=1):
        out += _finding_md(index, finding, tunnel)
    return out


def render_markdown(report: DiagnosisReport, selection: Any = None) -> str:
    """A report an engineer can paste into a ticket: the headline, the summary table (worst
    first), then the details of each tunnel that is not healthy (all with ``--all``)."""
    from vpn_doctor.report.triage import (
        Selection,
        detailed_tunnels,
        headline,
        summary_rows,
    )

    selection = selection or Selection()
    version = f" (ASA {report.version})" if report.version else ""
    out = [f"# vpn-doctor diagnosis: {headline(report)}{version}", ""]
    if report.partial:
        out += ["**Partial**: collection stopped early; this is what was collected.", ""]
    rows = summary_rows(report, selection)
    if rows:
        out += ["| Peer | Name | Verdict | First code | Reason |", "|---|---|---|---|---|"]
        for r in rows:
            cells = (r.peer, r.name, r.verdict, r.code, r.reason)
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        out.append("")
    elif not report.tunnels:
        out += ["No tunnel found in the outputs.", ""]
    for finding in report.device_findings:
        out += [f"Device: **{finding.code}** ({finding.severity}): {finding.title}", ""]
    if report.notes:
        out += ["Notes:", "", *(f"- {note}" for note in report.notes), ""]
    device = report.hostname or "ASA"
    for tunnel in detailed_tunnels(report, selection):
        out += _tunnel_md(tunnel, device)
    return "\n".join(out).rstrip("\n") + "\n"


# ---- Contract 2 validation ------------------------------------------------------------------

_TUNNEL_KEYS: dict[str, type] = {
    "peer": str,
    "verdict": str,
    "phase1": dict,
    "phase2": dict,
    "path": list,
    "findings": list,
}
_FINDING_KEYS: dict[str, type] = {
    "code": str,
    "severity": str,
    "title": str,
    "evidence": list,
    "checks": list,
    "remediation": list,
}


def contract2_problems(data: Any) -> list[str]:
    """What is wrong with ``data`` as a Contract 2 report ([] when it conforms).

    Checks the promised keys and their types, the verdict and severity vocabularies, and that
    list items are strings. Extra keys are allowed (Contract 2: add fields, never rename).
    """
    problems: list[str] = []
    if not isinstance(data, dict):
        return ["report is not an object"]
    if data.get("schema") != 1:
        problems.append("schema must be 1")
    device = data.get("device")
    if not isinstance(device, dict) or not all(
        isinstance(device.get(k), str) for k in ("hostname", "version")
    ):
        problems.append("device must be {hostname: str, version: str}")
    tunnels = data.get("tunnels")
    if not isinstance(tunnels, list):
        return [*problems, "tunnels must be a list"]
    for i, tunnel in enumerate(tunnels):
        where = f"tunnels[{i}]"
        if not isinstance(tunnel, dict):
            problems.append(f"{where} is not an object")
            continue
        problems += _typed(tunnel, _TUNNEL_KEYS, where)
        if tunnel.get("verdict") not in VERDICTS:
            problems.append(
                f"{where}.verdict {tunnel.get('verdict')!r} not up|degraded|down|unknown"
            )
        if isinstance(tunnel.get("path"), list) and not all(
            isinstance(s, str) for s in tunnel["path"]
        ):
            problems.append(f"{where}.path must hold strings")
        for j, finding in enumerate(tunnel.get("findings") or []):
            fwhere = f"{where}.findings[{j}]"
            if not isinstance(finding, dict):
                problems.append(f"{fwhere} is not an object")
                continue
            problems += _typed(finding, _FINDING_KEYS, fwhere)
            if finding.get("severity") not in ("critical", "warning", "info"):
                problems.append(f"{fwhere}.severity {finding.get('severity')!r} invalid")
            for key in ("evidence", "checks", "remediation"):
                items = finding.get(key)
                if isinstance(items, list) and not all(isinstance(x, str) for x in items):
                    problems.append(f"{fwhere}.{key} must hold strings")
    return problems


def _typed(obj: dict[str, Any], keys: dict[str, type], where: str) -> list[str]:
    return [
        f"{where}.{key} missing or not {kind.__name__}"
        for key, kind in keys.items()
        if not isinstance(obj.get(key), kind)
    ]

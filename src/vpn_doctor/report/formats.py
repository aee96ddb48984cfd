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

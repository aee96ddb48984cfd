"""A self-contained HTML report (``diagnose --format html``): one file to attach to a ticket.

Why a separate format: a ticket system shows an attachment, not a terminal. The page holds
everything inline (CSS in a <style> element; no script, font, image or link to anything
outside the file) so it renders the same offline, in a mail client's preview or years later.
Order as in the terminal: the headline and the summary table (down tunnels first, so they
are on screen without scrolling), then per tunnel the message ladder, the walk and each
finding as a runbook. Every device string is HTML-escaped. Pure: no rich, no I/O.
"""

from __future__ import annotations

from html import escape

from vpn_doctor.diagnose.findings import DiagnosisReport, Finding, TunnelDiagnosis
from vpn_doctor.report.ladder import ladder, ladder_lines
from vpn_doctor.report.runbook import cidr, proxies_line, runbook
from vpn_doctor.report.text_view import fix_lines
from vpn_doctor.report.triage import (
    SUMMARY_HEADERS,
    Selection,
    detailed_tunnels,
    headline,
    summary_rows,
)

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1rem 1.5rem;color:#1b1b1b;
background:#fff;font-size:15px}
h1{font-size:1.35rem;margin:.2rem 0 .6rem}
h2{font-size:1.15rem;margin:1.6rem 0 .4rem;border-bottom:1px solid #ccc;padding-bottom:.2rem}
h3{font-size:1rem;margin:1rem 0 .3rem}
table.summary{border-collapse:collapse;font-size:.9rem}
table.summary th,table.summary td{padding:.15rem .6rem;text-align:left;
border-bottom:1px solid #e4e4e4;white-space:nowrap}
table.summary td.reason{white-space:normal}
pre{background:#f5f5f5;padding:.5rem .7rem;overflow-x:auto;font-size:.82rem;margin:.3rem 0}
.v-down{color:#b00020;font-weight:700}.v-unknown{color:#7b1fa2;font-weight:700}
.v-degraded{color:#a15c00;font-weight:700}.v-up{color:#1b7f2a}
tr.down{background:#fdecee}tr.unknown{background:#f6ecfa}tr.degraded{background:#fff6e5}
.l-last{color:#a15c00;font-weight:700}.l-missing{color:#b00020;font-weight:700}.l-later{color:#888}
.note{color:#555;margin:.1rem 0 .5rem}.meta{color:#555;font-size:.85rem}
"""


def _summary(report: DiagnosisReport, selection: Selection) -> list[str]:
    rows = summary_rows(report, selection)
    if not rows:
        return ["<p>No tunnel found in the outputs.</p>"] if not report.tunnels else []
    out = ['<table class="summary" id="summary">', "<thead><tr>"]
    out += [f"<th>{escape(h.title())}</th>" for h in SUMMARY_HEADERS]
    out.append("</tr></thead><tbody>")
    for r in rows:
        out.append(
            f'<tr class="{escape(r.verdict)}" data-peer="{escape(r.peer)}" '
            f'data-verdict="{escape(r.verdict)}"><td><a href="#t-{escape(r.peer)}">'
            f"{escape(r.peer)}</a></td><td>{escape(r.name)}</td>"
            f'<td class="v-{escape(r.verdict)}">{escape(r.verdict)}</td>'
            f'<td>{escape(r.code)}</td><td class="reason">{escape(r.reason)}</td></tr>'
        )
    out.append("</tbody></table>")
    return out


def _pre(lines: list[str] | tuple[str, ...], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<pre{attr}>" + "\n".join(escape(line) for line in lines) + "</pre>"


def _finding(index: int, finding: Finding, tunnel: TunnelDiagnosis) -> list[str]:
    book = runbook(finding, tunnel)
    out = [
        f"<h3>{index}. {escape(finding.code)} ({escape(finding.severity)}, "
        f"{escape(finding.confidence)}): {escape(finding.title)}</h3>"
    ]
    if finding.meaning:
        out.append(f"<p>{escape(cidr(finding.meaning))}</p>")
    if book.evidence:
        out += ["<p>Evidence (as the device printed it):</p>", _pre(book.evidence, "evidence")]
    if book.checks:
        out.append("<p>Check (read-only commands):</p>")
        for step in book.checks:
            if step.lines:
                out.append(_pre(step.lines, "check"))
            if step.note:
                out.append(f'<p class="note">{escape(step.note)}</p>')
    fixes = fix_lines(book.remediation)
    if fixes:
        out += [
            "<p>Fix (configuration to paste; never applied by vpn-doctor):</p>",
            _pre(fixes, "fix"),
        ]
    if finding.alternatives:
        out.append(f"<p>Also consistent with: {escape(', '.join(finding.alternatives))}</p>")
    return out


def _tunnel(tunnel: TunnelDiagnosis, device: str) -> list[str]:
    name = f" ({tunnel.name})" if tunnel.name else ""
    out = [
        f'<section class="tunnel" id="t-{escape(tunnel.peer)}" '
        f'data-verdict="{escape(tunnel.verdict)}">',
        f"<h2>{escape(tunnel.peer)}{escape(name)}: "
        f'<span class="v-{escape(tunnel.verdict)}">{escape(tunnel.verdict)}</span></h2>',
    ]
    proxies = proxies_line(tunnel)
    if proxies:
        out.append(f"<p>Proxies: {escape(proxies)}</p>")
    item = ladder(tunnel)
    if item is not None:
        lines = [
            f'<span class="l-{status}">{escape(line)}</span>' if status != "ok" else escape(line)
            for line, status in ladder_lines(item, device)
        ]
        out.append('<pre class="ladder">' + "\n".join(lines) + "</pre>")
    if tunnel.path:
        out.append('<ol class="path">')
        out += [f"<li>{escape(cidr(step))}</li>" for step in tunnel.path]
        out.append("</ol>")
    for index, finding in enumerate(tunnel.findings, start=1):
        out += _finding(index, finding, tunnel)
    out.append("</section>")
    return out


def render_html(report: DiagnosisReport, selection: Selection | None = None) -> str:
    """The whole report as one HTML document (see the module docstring)."""
    selection = selection or Selection()
    title = headline(report)
    meta = [
        f"ASA {report.version}" if report.version else "",
        f"collected {report.collected_at}" if report.collected_at else "",
        f"source {report.source}" if report.source else "",
        f"vpn-doctor {report.tool_version}" if report.tool_version else "",
    ]
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>vpn-doctor: {escape(title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f'<h1 id="headline">{escape(title)}</h1>',
        f'<p class="meta">{escape(" · ".join(m for m in meta if m))}</p>',
        *_summary(report, selection),
    ]
    for finding in report.device_findings:
        out.append(
            f'<p class="device-finding">Device: <b>{escape(finding.code)}</b> '
            f"({escape(finding.severity)}): {escape(finding.title)}</p>"
        )
    out += [f'<p class="note">note: {escape(note)}</p>' for note in report.notes]
    device = report.hostname or "ASA"
    for tunnel in detailed_tunnels(report, selection):
        out += _tunnel(tunnel, device)
    out.append("</body></html>")
    return "\n".join(out) + "\n"

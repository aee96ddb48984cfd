"""Configuration as evidence: run the config checks for one tunnel and merge what they found
into the findings of the playbook walk.

The engine parses the configuration outputs once (:func:`vpn_doctor.parse.config.sections.
parse_crypto_config`) and, per tunnel, calls :func:`tunnel_config_issues` (a thin wrapper over
:func:`vpn_doctor.diagnose.checks.run.run_config_checks`: the checks live there, not here) and
:func:`packet_tracer_facts`. Both results ride on the
:class:`~vpn_doctor.diagnose.tunnel_context.TunnelContext`.

Two places use them:

* the playbooks, through the ``config_issue`` predicate, where a configuration fact decides a
  branch (phase 1 up, no IPsec SA and a swapped crypto ACL -> ``IPSEC_PROXY_MISMATCH``);
* :func:`merge_config`, after the walk (called by :func:`vpn_doctor.diagnose.conclude.conclude`):

  1. an issue with the same code as a finding *explains* it: its device lines join the
     finding's evidence, its exact configuration lines replace the generic remediation, its
     title (which names the map, ACL or line) replaces the generic one, confidence becomes
     ``confirmed`` (the state and the configuration agree);
  2. an issue naming one of the leaf's *alternatives* separates them: that alternative moves
     first (config-explained) and the leaf drops to ``possible``;
  3. an issue the current state contradicts (a claim that phase 1 cannot come up while it is
     up, that IKE cannot start while an IKE SA exists, that quick mode fails while an IPsec SA
     is up, that NAT breaks encryption while encaps grow) is kept as ``info``, worded as such;
  4. every other issue follows as its own finding (``possible``), critical before warning;
     when the walk concluded "healthy" (an ``info`` leaf), warnings and criticals go first and
     the verdict becomes ``degraded``: a working tunnel with a configuration problem is not
     fully up.

Packet-tracer facts (does the traffic match the crypto map, is it NATed first) are added to
the evidence of ``findings[0]``, each prefixed ``packet-tracer:``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from vpn_doctor.config_models import CryptoConfig
from vpn_doctor.diagnose.checks.base import ConfigIssue
from vpn_doctor.diagnose.checks.run import run_config_checks
from vpn_doctor.diagnose.findings import CONFIG_NOTE, Finding, Verdict, severity_rank
from vpn_doctor.diagnose.packet_tracer import build_packet_tracer_command, interpret_packet_tracer
from vpn_doctor.diagnose.profiles import PeerProfile
from vpn_doctor.diagnose.tunnel_context import TunnelContext
from vpn_doctor.models import IpsecSa

# Codes that claim phase 1 cannot complete: contradicted while an IKE SA is active.
PHASE1_BLOCKING = frozenset(
    {
        "IKE_NO_SA",
        "IKE_NO_RESPONSE",
        "IKE_AUTH_FAILED",
        "IKE_PROPOSAL_MISMATCH",
        "IKE_KEY_EXCHANGE_STALLED",
        "IKE_NAT_T_BLOCKED",
        "IKE_VERSION_MISMATCH",
    }
)
# Codes that claim quick mode cannot complete: contradicted while an IPsec SA exists.
PHASE2_BLOCKING = frozenset(
    {
        "IPSEC_NO_SA",
        "IPSEC_TRANSFORM_MISMATCH",
        "IPSEC_PFS_MISMATCH",
        "TUNNEL_CRYPTO_MAP_INCOMPLETE",
        "TUNNEL_VTI_INCOMPLETE",
    }
)
# Codes that need an answer from the peer (a notify, an error, a refused proposal).
PEER_REFUSALS = frozenset(
    {
        "IKE_PROPOSAL_MISMATCH",
        "IKE_AUTH_FAILED",
        "IPSEC_TRANSFORM_MISMATCH",
        "IPSEC_PFS_MISMATCH",
        "IPSEC_PROXY_MISMATCH",
    }
)
# Debug patterns of our first IKE message going unanswered (MM1 resent; IKEv2 IKE_SA_INIT
# retransmitted with the responder SPI still zero).
_UNANSWERED = frozenset({"IKEV1_MM1_RESEND", "IKEV2_NO_RESPONSE"})
TRACE_PREFIX = "packet-tracer: "


def tunnel_config_issues(
    crypto: CryptoConfig | None,
    peer: str,
    ipsec_sas: Iterable[IpsecSa] = (),
    profile: PeerProfile | None = None,
) -> tuple[ConfigIssue, ...]:
    """The configuration issues for ``peer`` (none when no configuration was collected)."""
    if crypto is None or not crypto.status:
        return ()
    return tuple(run_config_checks(crypto, peer, tuple(ipsec_sas), profile))


def packet_tracer_facts(crypto: CryptoConfig | None, peer: str) -> tuple[str, tuple[str, ...]]:
    """(command, facts) for the packet-tracer run of ``peer``'s traffic, when it was collected.

    The command is the one :func:`~vpn_doctor.diagnose.packet_tracer.build_packet_tracer_command`
    builds from the configuration; ("", ()) when it cannot be built or was not run.
    """
    if crypto is None or not crypto.packet_traces:
        return "", ()
    command = build_packet_tracer_command(crypto, peer)
    result = crypto.packet_traces.get(" ".join(command.split())) if command else None
    if command is None or result is None:
        return "", ()
    return command, tuple(interpret_packet_tracer(result))


def contradiction(issue: ConfigIssue, ctx: TunnelContext) -> str:
    """Why the current state contradicts ``issue`` ("" when it does not)."""
    if issue.severity == "info":
        return ""
    if issue.code in PHASE1_BLOCKING and ctx.phase1_up:
        return "phase 1 is up"
    if issue.code == "IKE_NO_SA" and ctx.ike_sas:
        return "an IKE SA exists, so IKE did start"
    if issue.code in PHASE2_BLOCKING and ctx.ipsec_sas:
        return "an IPsec SA is up"
    if issue.code == "IPSEC_ONE_WAY" and ctx.encaps > 0:
        return "traffic is encrypted towards the peer (encaps > 0)"
    return ""


def peer_silent(ctx: TunnelContext) -> bool:
    """The debug shows our first IKE message retransmitted and nothing at all from the peer.

    A peer that refuses a proposal or a key says so (an unencrypted NO_PROPOSAL_CHOSEN in main
    mode, a notify in IKEv2): complete silence means the packets do not reach it or its
    answers do not reach us (KNOWLEDGE.md 2.2, MM_WAIT_MSG2), so the configuration's claim
    that the peer *would* refuse our proposal is for later, not the current cause.
    """
    ids = {ev.pattern_id for ev in ctx.evidence}
    if not ids & _UNANSWERED:
        return False
    answered = ("IKE_DECODE RECEIVED", "NO_PROPOSAL_CHOSEN", "Received a IKE_INIT_SA")
    return not any(mark in line for line in ctx.debug_lines for mark in answered)


def _dedupe(lines: Iterable[str]) -> tuple[str, ...]:
    """Lines in order, once each (the same device line quoted indented or stripped counts once;
    the first form wins)."""
    seen: dict[str, str] = {}
    for line in lines:
        if line and line.strip():
            seen.setdefault(line.strip(), line.rstrip())
    return tuple(seen.values())


def _blocks(blocks: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    """Remediation blocks one after the other, each once (lines inside a block are kept as they
    are: ' frequency 5' may rightly appear in two sla monitor blocks)."""
    return tuple(line for block in dict.fromkeys(blocks) for line in block)


def _explained(finding: Finding, issues: Sequence[ConfigIssue]) -> Finding:
    """``finding`` with the configuration that explains it (see rule 1 of the module doc)."""
    lead = min(issues, key=lambda i: severity_rank(i.severity))
    remediation = _blocks(i.remediation for i in issues)
    meaning = " ".join(
        part for part in (finding.meaning, *(f"Configuration: {i.meaning}" for i in issues)) if part
    )
    return replace(
        finding,
        title=lead.title,
        meaning=meaning,
        evidence=_dedupe((*finding.evidence, *(line for i in issues for line in i.evidence))),
        checks=_dedupe((*(c for i in issues for c in i.checks), *finding.checks)),
        remediation=remediation or finding.remediation,
        confidence="confirmed",
        source=f"{finding.source}+config" if finding.source != "config" else "config",
    )


def _from_issues(issues: Sequence[ConfigIssue], *, severity: str | None = None) -> Finding:
    """One finding for the issues of one code (first issue leads)."""
    lead = issues[0].to_finding(confidence="possible")
    if len(issues) > 1:
        lead = replace(
            lead,
            evidence=_dedupe(line for i in issues for line in i.evidence),
            checks=_dedupe(c for i in issues for c in i.checks),
            remediation=_blocks(i.remediation for i in issues),
        )
    if severity is not None:
        lead = replace(lead, severity=severity)  # type: ignore[arg-type]
    return lead


def merge_config(
    ctx: TunnelContext, verdict: Verdict, findings: Sequence[Finding]
) -> tuple[Verdict, tuple[Finding, ...]]:
    """Fold ``ctx.config_issues`` into the walk's findings (rules in the module docstring)."""
    if not ctx.config_issues and not ctx.trace_facts:
        return verdict, tuple(findings)
    live: dict[str, list[ConfigIssue]] = {}
    stale: dict[str, list[tuple[ConfigIssue, str]]] = {}
    for issue in ctx.config_issues:
        why = contradiction(issue, ctx)
        if why:
            stale.setdefault(issue.code, []).append((issue, why))
        else:
            live.setdefault(issue.code, []).append(issue)

    merged: list[Finding] = []
    for finding in findings:
        issues = live.pop(finding.code, None)
        merged.append(_explained(finding, issues) if issues else finding)

    # Rule 2: an alternative of the leaf that the configuration confirms goes before it,
    # unless the alternative is a refusal by the peer and the peer never answered at all.
    leaf = next((f for f in merged if f.source == "state"), None)
    if leaf is not None:
        confirmed = next(
            (f for f in merged if f.source == "alternative+config" and f.code in leaf.alternatives),
            None,
        )
        if confirmed is not None and confirmed.code in PEER_REFUSALS and peer_silent(ctx):
            at = merged.index(confirmed)
            merged[at] = replace(confirmed, confidence="possible")
            confirmed = None
        if confirmed is not None:
            at = merged.index(leaf)
            rest = [f for f in merged if f is not confirmed and f is not leaf]
            merged = [
                *rest[:at],
                replace(confirmed, confidence="likely"),
                replace(leaf, confidence="possible"),
                *rest[at:],
            ]

    extra = [
        _from_issues(issues)
        for issues in sorted(live.values(), key=lambda i: severity_rank(i[0].severity))
    ]
    # Their own code (CONFIG_NOTE), not the fault's: a healthy tunnel must not carry
    # IKE_NO_SA, and a script counting fault codes must not count a note.
    noted = [
        replace(
            _from_issues([i for i, _ in pairs], severity="info"),
            code=CONFIG_NOTE,
            title=(
                f"Configuration, not the current cause ({pairs[0][1]}): {code}: {pairs[0][0].title}"
            ),
        )
        for code, pairs in stale.items()
        if not any(f.code == code for f in (*merged, *extra))
    ]
    serious = [f for f in extra if f.severity in ("critical", "warning")]
    if merged and merged[0].severity == "info" and serious:
        ordered = [*serious, *merged, *(f for f in extra if f not in serious)]
    else:
        ordered = [*merged, *extra]
    if serious and verdict == "up":
        verdict = "degraded"
    ordered += noted
    if ctx.trace_facts and ordered:
        first = ordered[0]
        ordered[0] = replace(
            first,
            evidence=_dedupe((*first.evidence, *(TRACE_PREFIX + f for f in ctx.trace_facts))),
        )
    unique: dict[str, Finding] = {}
    for finding in ordered:
        unique.setdefault(finding.title if finding.code == CONFIG_NOTE else finding.code, finding)
    return verdict, tuple(unique.values())

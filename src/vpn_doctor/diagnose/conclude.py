"""Walk the playbook tree for one tunnel, then turn the leaf and the evidence into findings.

The walk (:func:`walk`) records every decision as a readable :class:`PathStep` and stops at a
leaf, or at the first question the data cannot answer (an :class:`Undetermined`: an output
missing or not understood), which becomes ``DIAGNOSIS_INCOMPLETE`` and the verdict
``unknown``, never "no SA".

How the debug/syslog evidence changes the state-based guess (:func:`conclude`):

* evidence the walk already looked at (its line was cited by a predicate), or that implies the
  leaf's own code or one of its alternatives, *confirms* the leaf: its lines join the leaf's
  evidence, and a decisive line makes the leaf's confidence ``confirmed``;
* *decisive* evidence the walk did not explain, implying another code, *overrides*: that code
  becomes ``findings[0]`` and the leaf follows as ``possible``. Exception: phase 1 evidence
  while the IKE SA is up now, or anything on a tunnel whose state is healthy, is history (an
  earlier failure in the log) and is listed after the leaf as ``info``;
* *supporting* evidence implying another code adds that code after the leaf as ``possible``.

The state decides the verdict (is the tunnel up?); the evidence decides the cause.
Configuration issues (:mod:`vpn_doctor.diagnose.config_evidence`) are merged last: one that
explains a
finding joins it (evidence, exact remediation); the others follow it.

When the evidence or the configuration puts another code ahead of the leaf, the path must not
end on the leaf as if it were the answer: :func:`ranking_step` is a closing step that says
which finding ranks first and why (the engine appends it to the walk's steps).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from string import Formatter

from vpn_doctor.asa.states import main_mode_stage
from vpn_doctor.diagnose.config_evidence import merge_config
from vpn_doctor.diagnose.findings import DIAGNOSIS_INCOMPLETE, Finding, PathStep, Verdict
from vpn_doctor.diagnose.playbook import CatalogueEntry, Leaf, Node, PlaybookSet
from vpn_doctor.diagnose.proposals import proposal_detail
from vpn_doctor.diagnose.tunnel_context import Evidence, TunnelContext, Undetermined

_PHASE1_UP_CODES = ("TUNNEL_HEALTHY",)
# Observations independent of the cause a walk ends at: (decision node, the leaf it leads
# to). A walk stops at its first explanation, so a tunnel with overlapping subnets never gets
# to look at its counters; when the state shows one of these anyway (and the walk did not
# pass the node), it is added after the leaf as ``possible``: it needs fixing too, or is the
# next thing to check once the first finding is fixed.
_ALSO_SEEN = (
    ("phase2.encaps_only", "phase2.one_way_far"),
    ("phase2.decaps_only", "phase2.one_way_near"),
    ("ikev1.aggressive_active", "ikev1.aggressive_up"),
)
# Leaves that explain the log lines of other codes: an incomplete crypto map entry is why the
# peer's proxies match no entry (713061, "crypto map policy not found"). Such lines confirm the
# leaf instead of overriding it.
# The same for the member of a redundant AWS pair whose partner is up: the 0.0.0.0/0 713061
# lines of the standby endpoint are harmless (AWS documents them), not a crypto ACL problem.
_EXPLAINS = {
    "TUNNEL_CRYPTO_MAP_INCOMPLETE": frozenset({"IPSEC_PROXY_MISMATCH", "IPSEC_NO_SA"}),
    "TUNNEL_VTI_INCOMPLETE": frozenset({"IPSEC_PROXY_MISMATCH", "IPSEC_NO_SA"}),
    "TUNNEL_REDUNDANCY_DEGRADED": frozenset({"IPSEC_PROXY_MISMATCH", "IPSEC_AWS_SINGLE_SA"}),
}
_STATUS_WORDS = {
    "failed": "was not understood (parse failed)",
    "missing": "was not collected",
    "partial": "was only partly understood",
}


def _status_words(status: str) -> str:
    return _STATUS_WORDS.get(status, f"was {status}")


@dataclass(frozen=True)
class WalkResult:
    """Where the walk ended: a leaf, or a question it could not answer."""

    steps: tuple[PathStep, ...]
    leaf: Leaf | None
    leaf_node: str = ""
    undetermined: Undetermined | None = None
    citations: tuple[str, ...] = ()


def _fill(template: str, facts: dict[str, str]) -> str:
    """Fill ``{placeholders}`` (validated at load) from the tunnel's facts."""
    if not any(name for _, name, _, _ in Formatter().parse(template)):
        return template
    return template.format_map(facts)


def walk(book: PlaybookSet, ctx: TunnelContext) -> WalkResult:
    """Follow the tree from the root for one tunnel (the tree has no cycles: checked at load)."""
    steps: list[PathStep] = []
    node: Node = book.nodes[book.root]
    while node.leaf is None:
        assert node.when is not None
        try:
            answer = node.when.evaluate(ctx)
        except Undetermined as exc:
            text = f"{node.step} -> could not determine: {exc.command} {_status_words(exc.status)}"
            if exc.detail:
                text += f" ({exc.detail})"
            steps.append(PathStep(node.id, text, None))
            return WalkResult(tuple(steps), None, "", exc, tuple(ctx.citations))
        template = node.yes if answer else node.no
        facts = ctx.facts()
        if template:
            steps.append(PathStep(node.id, _fill(template, facts), answer))
        else:
            steps.append(
                PathStep(
                    node.id, f"{node.step} -> {'yes' if answer else 'no'}", answer, shown=False
                )
            )
        node = book.nodes[node.then if answer else node.otherwise]
    text = _fill(node.says, ctx.facts()) if node.says else f"-> {node.leaf.code}"
    steps.append(PathStep(node.id, text, None))
    return WalkResult(tuple(steps), node.leaf, node.id, None, tuple(ctx.citations))


def ranking_step(result: WalkResult, findings: tuple[Finding, ...]) -> PathStep | None:
    """A closing step when ``findings[0]`` is not the walk's leaf (None when it is).

    The walk ends at the state's explanation; :func:`conclude` may rank a debug override, an
    alternative the configuration confirms, or a serious configuration issue above it. Without
    this step the path would read "-> IKE_NO_SA" above a report whose answer is
    IKE_CERT_INVALID.
    """
    if result.leaf is None or not findings or findings[0].code == result.leaf.code:
        return None
    top, leaf = findings[0], result.leaf.code
    if top.source.startswith("debug"):
        line = next((ev for ev in top.evidence if ev.strip()), "")
        why = f"the log names the cause ({_clip(line)})" if line else "the log names the cause"
    elif top.source.startswith("alternative"):
        why = f"the configuration confirms the alternative to {leaf}"
    elif "config" in top.source:
        why = f"the configuration shows a {top.severity} problem ({_clip(top.title)})"
    else:
        why = "the evidence ranks it first"
    text = f"-> {top.code} ranks above {leaf}: {why}"
    return PathStep("conclude.ranking", text, None)


_LOG_MESSAGE = re.compile(r"%ASA-\d-\d+:|\[IKEv[12]\]")


def _clip(text: str, limit: int = 120) -> str:
    """One line, from its message id on (the syslog timestamp adds nothing here), shortened."""
    text = " ".join(text.split())
    start = _LOG_MESSAGE.search(text)
    text = text[start.start() :] if start else text
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ---- findings -------------------------------------------------------------------------------


def _finding(
    entry: CatalogueEntry | Leaf,
    ctx: TunnelContext,
    *,
    code: str,
    evidence: list[str],
    extra_checks: tuple[str, ...] = (),
    alternatives: tuple[str, ...] = (),
    confidence: str = "likely",
    source: str = "state",
    severity: str | None = None,
    title: str | None = None,
) -> Finding:
    facts = ctx.facts()
    checks = [_fill(c, facts) for c in (*extra_checks, *entry.checks)]
    return Finding(
        code=code,
        severity=(severity or entry.severity),  # type: ignore[arg-type]
        title=title or entry.title,
        meaning=entry.meaning,
        evidence=tuple(dict.fromkeys(line.rstrip() for line in evidence if line.strip())),
        checks=tuple(dict.fromkeys(checks)),
        remediation=tuple(_fill(r, facts) for r in entry.remediation),
        alternatives=alternatives,
        confidence=confidence,
        source=source,
    )


def _also_seen(
    book: PlaybookSet, ctx: TunnelContext, result: WalkResult, leaf_code: str
) -> list[Finding]:
    """Findings for the :data:`_ALSO_SEEN` observations the walk did not reach."""
    visited = {step.node for step in result.steps}
    found: list[Finding] = []
    for decision, leaf_id in _ALSO_SEEN:
        node, target = book.nodes.get(decision), book.nodes.get(leaf_id)
        if node is None or node.when is None or target is None or target.leaf is None:
            continue
        if decision in visited or target.leaf.code == leaf_code:
            continue
        cited_before = list(ctx.citations)
        ctx.citations.clear()  # collect this observation's own lines
        try:
            seen = node.when.evaluate(ctx)
        except Undetermined:
            seen = False
        shown = list(ctx.citations)
        ctx.citations[:] = cited_before
        if not seen:
            continue
        found.append(
            _finding(target.leaf, ctx, code=target.leaf.code, evidence=shown, confidence="possible")
        )
    return found


def incomplete_finding(book: PlaybookSet, ctx: TunnelContext, exc: Undetermined) -> Finding:
    """The finding for a walk that stopped on missing or unparsed data."""
    status = ctx.sources.get(exc.source)
    evidence = [f"{exc.command}: {exc.status}"]
    if status is not None:
        evidence += list(status.warnings[:5])
    output = ctx.raw.get(exc.command, "")
    evidence += [line for line in output.splitlines() if line.strip()][:3]
    title = f"Could not determine: {exc.command} {_status_words(exc.status)}"
    return _finding(
        book.catalogue[DIAGNOSIS_INCOMPLETE],
        ctx,
        code=DIAGNOSIS_INCOMPLETE,
        evidence=evidence,
        source="engine",
        title=title,
    )


# The stage a phase 1 failure stops an exchange at: evidence of it cannot explain an SA that
# got further (a NO_PROPOSAL_CHOSEN in MM2 vs an SA at MM_WAIT_MSG6: older, or another peer's).
_CODE_STAGE = {"IKE_NO_RESPONSE": 1, "IKE_PROPOSAL_MISMATCH": 1, "IKE_KEY_EXCHANGE_STALLED": 2}


def _stage(ctx: TunnelContext) -> int:
    """The furthest main-mode stage an IKEv1 SA of the peer reached (0: none known)."""
    return max((main_mode_stage(sa.state) for sa in ctx.ike_sas if sa.ike_version == 1), default=0)


def _is_history(code: str, leaf_code: str, ctx: TunnelContext, book: PlaybookSet) -> bool:
    """Evidence about a failure that the current state shows is over (or never applied to
    this exchange: it stops earlier than the state the SA reached)."""
    if leaf_code in _PHASE1_UP_CODES:
        return True
    entry = book.catalogue.get(code)
    if entry is not None and entry.phase == "phase1" and ctx.phase1_up:
        return True
    return _stage(ctx) > _CODE_STAGE.get(code, 99)


_QM = re.compile(
    r"IKE_DECODE (SENDING|RESENDING|RECEIVED) Message \(msgid=(?!0\))[0-9a-fA-F]+\)"
    r".*HASH \(8\) \+ SA \(1\)"
)


def ruled_out(code: str, ctx: TunnelContext) -> bool:
    """Evidence that excludes ``code`` for this tunnel.

    PFS mismatch: the peer's quick-mode proposal carries no KE payload (no PFS, RFC 2409 5.5)
    and neither does ours, or, ours not seen, our crypto map entries (known) set no PFS:
    neither side uses PFS, so it cannot be what they disagree on. Transform mismatch: the
    IKEv2 debug's Received/Expected policies are IKE (not ESP) proposals.
    """
    if code == "IPSEC_TRANSFORM_MISMATCH":
        # The IKEv2 debug shows the refused proposals were the IKE_SA_INIT ones, not ESP.
        detail = proposal_detail(ctx)
        return detail is not None and detail.code == "IKE_PROPOSAL_MISMATCH"
    if code != "IPSEC_PFS_MISMATCH":
        return False
    received = sent = False
    for line in ctx.debug_lines:
        match = _QM.search(line)
        if match is None:
            continue
        if "KE (4)" in line:
            return False
        if match.group(1) == "RECEIVED":
            received = True
        else:
            sent = True
    if not received:
        return False
    ours_off = sent or (bool(ctx.map_entries) and not any(e.pfs_group for e in ctx.map_entries))
    return ours_off


def conclude(
    book: PlaybookSet, ctx: TunnelContext, result: WalkResult
) -> tuple[Verdict, tuple[Finding, ...]]:
    """Findings ordered by likelihood, and the tunnel verdict (see the module docstring)."""
    evidence = list(ctx.evidence)
    cited = set(result.citations)
    if result.leaf is None:
        assert result.undetermined is not None
        base = incomplete_finding(book, ctx, result.undetermined)
        leaf_code, verdict = DIAGNOSIS_INCOMPLETE, "unknown"
        alt_codes: tuple[str, ...] = ()
    else:
        leaf = result.leaf
        leaf_code, verdict = leaf.code, leaf.verdict
        alt_codes = tuple(a.finding for a in leaf.alternatives if not ruled_out(a.finding, ctx))
        explained = {leaf.code, *_EXPLAINS.get(leaf.code, ())}
        confirming = [ev for ev in evidence if ev.implies in explained and ev.line not in cited]
        decisive = any(ev.implies in explained and ev.strength == "decisive" for ev in evidence)
        separating = tuple(a.separating_check for a in leaf.alternatives if a.finding in alt_codes)
        base = _finding(
            leaf,
            ctx,
            code=leaf.code,
            evidence=[*result.citations, *(ev.line for ev in confirming)],
            extra_checks=separating,
            alternatives=alt_codes,
            confidence="confirmed" if decisive else "likely",
        )

    overrides: dict[str, list[Evidence]] = {}
    secondary: dict[str, list[Evidence]] = {}
    history: dict[str, list[Evidence]] = {}
    for ev in evidence:
        code = ev.implies
        if not code or code == leaf_code or code not in book.catalogue or ev.line in cited:
            continue
        if code in _EXPLAINS.get(leaf_code, ()):
            continue  # the leaf explains this line (joined its evidence above)
        if ruled_out(code, ctx):
            continue
        if code in alt_codes and ev.strength != "decisive":
            continue  # already listed as an alternative of the leaf
        if _is_history(code, leaf_code, ctx, book):
            history.setdefault(code, []).append(ev)
        elif ev.strength == "decisive":
            overrides.setdefault(code, []).append(ev)
        else:
            secondary.setdefault(code, []).append(ev)

    findings: list[Finding] = []
    for code, evs in overrides.items():
        findings.append(
            _finding(
                book.catalogue[code],
                ctx,
                code=code,
                evidence=[ev.line for ev in evs],
                confidence="confirmed",
                source="debug",
                alternatives=(leaf_code,),
            )
        )
    if overrides and result.leaf is not None:
        base = replace(base, confidence="possible")
    elif overrides:
        # An output was missing, but the log decides the cause: it comes first and sets the
        # verdict; the missing output is a note.
        base = replace(base, severity="info", confidence="possible")
        verdict = max(
            (book.catalogue[code].verdict for code in overrides),
            key=lambda v: ("up", "degraded", "unknown", "down").index(v),
        )
    findings.append(base)
    if result.leaf is not None:
        for alt in result.leaf.alternatives:
            if alt.finding not in alt_codes:
                continue  # the evidence rules it out
            entry = book.catalogue[alt.finding]
            findings.append(
                _finding(
                    entry,
                    ctx,
                    code=alt.finding,
                    evidence=list(base.evidence),
                    extra_checks=(alt.separating_check,),
                    alternatives=(leaf_code,),
                    confidence="possible",
                    source="alternative",
                )
            )
    if result.leaf is not None:
        findings.extend(_also_seen(book, ctx, result, leaf_code))
    for code, evs in secondary.items():
        findings.append(
            _finding(
                book.catalogue[code],
                ctx,
                code=code,
                evidence=[ev.line for ev in evs],
                confidence="possible",
                source="debug",
            )
        )
    for code, evs in history.items():
        entry = book.catalogue[code]
        findings.append(
            _finding(
                entry,
                ctx,
                code=code,
                evidence=[ev.line for ev in evs],
                confidence="possible",
                source="debug",
                severity="info",
                title=f"Earlier in the log: {entry.title}",
            )
        )
    unique: dict[str, Finding] = {}
    for finding in findings:
        unique.setdefault(finding.code, finding)
    return merge_config(ctx, verdict, tuple(unique.values()))  # type: ignore[arg-type]

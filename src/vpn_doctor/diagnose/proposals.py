"""Say exactly which proposal transform differs, and how to fix it in the tunnel's syntax.

Why: "phase 1 proposals do not match, compare both sides" sends the engineer to read two
configurations when the device already printed the answer. Two sources name it:

* IKEv2 debug (``debug crypto ikev2 protocol``): after ``Failed to find a matching policy``
  the ASA prints ``Received Policies:`` (the peer's proposals) and ``Expected Policies:``
  (ours), one ``Proposal N: <encryption> <prf> <integrity> DH_GROUP_.../Group N`` line each
  (KNOWLEDGE.md 3.3, S18/S31). Proposals whose text starts with ``ESP`` are the child SA's.
* IKEv1 syslog 713257: ``Phase N failure: Mismatched attribute types for class <C>: Rcv'd:
  <peer's> Cfg'd: <ours>``.

:func:`with_proposal_detail` rewrites the matching finding's title, evidence and remediation
(IKEv2 syntax for an IKEv2 tunnel, IKEv1 syntax for an IKEv1 one); the spellings and
keywords live in ``data/proposals.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from vpn_doctor import yaml_lines
from vpn_doctor.diagnose.findings import Finding
from vpn_doctor.diagnose.tunnel_context import TunnelContext
from vpn_doctor.resources import data_dir

_PROPOSAL = re.compile(r"Proposal\s+\d+\s*:\s*(?P<text>.+?)\s*$")
_GROUP = re.compile(r"Group\s*(\d+)", re.IGNORECASE)
_MISMATCH = re.compile(
    r"Phase\s+(?P<phase>[12])\s+failure:\s+Mismatched attribute types for class\s+"
    r"(?P<cls>.+?):\s+Rcv'd:\s+(?P<rcv>.+?)\s+Cfg'd:\s+(?P<cfg>.+?)\s*$"
)
_NAMES = {"encryption": "encryption", "prf": "PRF", "integrity": "integrity", "dh": "DH group"}


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    data: dict[str, Any] = yaml_lines.load(
        (data_dir() / "proposals.yaml").read_text(encoding="utf-8")
    )
    return data


@dataclass(frozen=True)
class ProposalDetail:
    """What differs, for the finding ``code``."""

    code: str
    title: str
    evidence: tuple[str, ...]
    remediation: tuple[str, ...]


def _transforms(text: str) -> dict[str, str]:
    """``AES-CBC-256 SHA256 SHA256 DH_GROUP_2048_MODP/Group 14`` -> its four transforms."""
    tokens = text.split()
    at = next((i for i, t in enumerate(tokens) if t.upper().startswith("DH_GROUP")), len(tokens))
    algos, dh = tokens[:at], " ".join(tokens[at:])
    group = _GROUP.search(dh)
    found = {"encryption": algos[0] if algos else "", "dh": group.group(1) if group else dh}
    if len(algos) >= 3:
        found["prf"], found["integrity"] = algos[1], algos[2]
    elif len(algos) == 2:
        found["prf"] = algos[1]  # AEAD cipher: no separate integrity transform
    return found


_ESN = re.compile(r"\s*(?:Don't use|Use)\s+ESN\s*$", re.IGNORECASE)


def _esp_transforms(text: str) -> dict[str, str]:
    """``AES-CBC-256 SHA256 Don't use ESN`` (an ESP proposal) -> encryption, integrity, and
    the PFS group when one is printed."""
    found = _transforms(_ESN.sub("", text))
    found.pop("integrity", None)
    if "prf" in found:  # ESP has no PRF: the second algorithm is the integrity
        found["integrity"] = found.pop("prf")
    if not found.get("dh", "").strip():
        found.pop("dh", None)
    return found


def _ikev2_blocks(lines: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The last Received Policies / Expected Policies proposal lines of the capture."""
    blocks: dict[str, list[str]] = {"received": [], "expected": []}
    current = ""
    for line in lines:
        if "Received Policies" in line:
            current = "received"
            blocks[current] = []
        elif "Expected Policies" in line:
            current = "expected"
            blocks[current] = []
        elif current and _PROPOSAL.search(line):
            blocks[current].append(line)
        elif current and "Failed to find a matching policy" not in line:
            current = ""
    return blocks["received"], blocks["expected"]


def _ikev2_detail(ctx: TunnelContext) -> ProposalDetail | None:
    received, expected = _ikev2_blocks(ctx.debug_lines)
    if not received or not expected:
        return None
    theirs_text = _PROPOSAL.search(received[0])
    assert theirs_text is not None
    child = "ESP" in received[0][: theirs_text.start()].upper()
    parse = _esp_transforms if child else _transforms
    theirs = parse(theirs_text.group("text"))
    best: tuple[list[str], dict[str, str]] | None = None
    for line in expected:
        match = _PROPOSAL.search(line)
        assert match is not None
        ours = parse(match.group("text"))
        diff = [k for k in _NAMES if theirs.get(k, "") != ours.get(k, "")]
        if best is None or len(diff) < len(best[0]):
            best = (diff, ours)
    assert best is not None
    diff, ours = best
    if not diff:
        return None
    words = [
        f"{_NAMES[k]} (peer {theirs.get(k) or 'none'}, this ASA {ours.get(k) or 'none'})"
        for k in diff
    ]
    what = "child SA (IPsec proposal)" if child else "IKEv2 proposal"
    verb = "differs" if len(diff) == 1 else "differ"
    title = f"{what} mismatch: {', '.join(words)} {verb}"
    return ProposalDetail(
        code="IPSEC_TRANSFORM_MISMATCH" if child else "IKE_PROPOSAL_MISMATCH",
        title=title[0].upper() + title[1:],
        evidence=(*received, *expected),
        remediation=_ikev2_fix(theirs, ours, child),
    )


def _ikev2_fix(theirs: dict[str, str], ours: dict[str, str], child: bool) -> tuple[str, ...]:
    data = _data()["ikev2"]
    encryption = data["encryption"].get(theirs["encryption"].upper(), theirs["encryption"])
    if child:
        return (
            "Either change the peer's child SA proposal to this ASA's, or add one that "
            "matches the peer's:",
            "crypto ipsec ikev2 ipsec-proposal <NAME>",
            f" protocol esp encryption {encryption}",
            f" protocol esp integrity {_esp_integrity(theirs.get('integrity', ''))}",
            "crypto map <MAP> <SEQ> set ikev2 ipsec-proposal <NAME>",
        )
    lines = [
        "Either change the peer's IKEv2 proposal to this ASA's, or add a policy that matches "
        "the peer's:",
        data["policy"],
        f" {data['keywords']['encryption']} {encryption}",
    ]
    for key in ("integrity", "prf"):
        if theirs.get(key):
            lines.append(f" {data['keywords'][key]} {data['hash'].get(theirs[key], theirs[key])}")
    lines.append(f" {data['keywords']['dh']} {theirs['dh']}")
    return tuple(lines)


def _esp_integrity(name: str) -> str:
    """ESP integrity keyword of `crypto ipsec ikev2 ipsec-proposal` (sha-1, sha-256...)."""
    if not name:
        return "null"
    keyword: str = _data()["ikev2"]["hash"].get(name.upper(), name.lower())
    return {"sha": "sha-1", "sha256": "sha-256", "sha384": "sha-384", "sha512": "sha-512"}.get(
        keyword, keyword
    )


def _ikev1_detail(ctx: TunnelContext) -> ProposalDetail | None:
    for line in reversed(ctx.debug_lines):
        match = _MISMATCH.search(line)
        if match is None:
            continue
        phase, cls = match.group("phase"), match.group("cls").strip()
        rcv, cfg = match.group("rcv").strip(), match.group("cfg").strip()
        title = f"IKEv1 phase {phase} {cls} differs (peer {rcv}, this ASA {cfg})"
        if phase == "1":
            data = _data()["ikev1"]["phase1"]
            keyword = data["classes"].get(cls, cls.lower())
            fix: tuple[str, ...] = (data["policy"], f" {keyword} {_value(rcv, keyword)}")
            code = "IKE_PROPOSAL_MISMATCH"
        else:
            data = _data()["ikev1"]["phase2"]
            template = data["classes"].get(cls)
            entry = ctx.map_entries[0] if ctx.map_entries else None
            value = data["values"].get(rcv, rcv.lower())
            if cls == "Group Description":
                value = _value(rcv, "group")
            fix = ()
            if template:
                fix = (
                    template.format(
                        tset=(entry.ikev1_transform_sets or ("<TSET>",))[0] if entry else "<TSET>",
                        map=entry.map_name if entry else "<MAP>",
                        seq=entry.seq if entry else "<SEQ>",
                        value=value,
                    ),
                )
            code = (
                "IPSEC_PFS_MISMATCH" if cls == "Group Description" else "IPSEC_TRANSFORM_MISMATCH"
            )
        remediation = (
            f"Make both sides agree on {cls}: the peer sends {rcv}, this ASA is configured for "
            f"{cfg}. To accept the peer's value here:",
            *fix,
        )
        return ProposalDetail(code, title, (line,), remediation)
    return None


def _value(text: str, keyword: str) -> str:
    if keyword == "group":
        group = _GROUP.search(text)
        return group.group(1) if group else text
    return text.lower()


def proposal_detail(ctx: TunnelContext) -> ProposalDetail | None:
    """The exact transform difference the tunnel's debug/syslog shows (None if none)."""
    return _ikev2_detail(ctx) or _ikev1_detail(ctx)


def _is_ikev2(ctx: TunnelContext) -> bool:
    sa = ctx.primary_ike
    if sa is not None:
        return sa.ike_version == 2
    versions = {v for e in ctx.map_entries for v in e.ike_versions}
    if versions:
        return versions == {2}
    return any("IKEv2" in line for line in ctx.debug_lines)


def with_proposal_detail(ctx: TunnelContext, findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """``findings`` with the proposal finding made exact (see the module docstring); an IKEv2
    tunnel's phase 1 proposal finding gets IKEv2 syntax even without the debug blocks."""
    detail = proposal_detail(ctx)
    codes = [f.code for f in findings]
    other = {"IKE_PROPOSAL_MISMATCH": "IPSEC_TRANSFORM_MISMATCH"}
    other.update({v: k for k, v in other.items()})
    if detail is not None and codes and codes[0] == other.get(detail.code) and detail.code in codes:
        # The debug says which exchange refused the proposals: the alternative leads.
        lead = next(f for f in findings if f.code == detail.code)
        findings = (
            replace(lead, confidence="likely", source="debug"),
            replace(findings[0], confidence="possible"),
            *(f for f in findings[1:] if f is not lead),
        )
    out: list[Finding] = []
    for finding in findings:
        if detail is not None and finding.code == detail.code:
            finding = replace(
                finding,
                title=detail.title,
                evidence=tuple(dict.fromkeys((*detail.evidence, *finding.evidence))),
                remediation=detail.remediation,
            )
        elif finding.code == "IKE_PROPOSAL_MISMATCH" and _is_ikev2(ctx) and finding.remediation:
            finding = replace(
                finding,
                remediation=(
                    "Align one IKEv2 policy on both sides (encryption, integrity, PRF, DH group)",
                    "crypto ikev2 policy 10 / encryption aes-256 / integrity sha256 / prf sha256 "
                    "/ group 14 / lifetime seconds 86400",
                ),
            )
        out.append(finding)
    return tuple(out)

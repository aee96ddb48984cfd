"""A finding as a runbook: exact evidence, commands alone on their lines, paste-able config.

Why: in an outage the engineer copies. The playbook data writes a check as prose around
commands ("show crypto ipsec sa peer X   (run twice: which counter grows?)", "capture ... ;
show capture ike", "X and Y: what it means") and a remediation as one line with ``/``
between sub-commands and placeholders (``crypto map <MAP> <SEQ> set pfs group14``). This
module turns each into steps: a command (or config block) that can be pasted as-is, and the
prose beside it. Remediation lines written for the other IKE version are dropped, and the
tunnel's real names (crypto map, sequence, crypto ACL, tunnel-group, transform set) replace
the placeholders. Pure functions over the report model: every renderer uses them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vpn_doctor.diagnose.findings import Finding, TunnelDiagnosis

# A line that starts with one of these is something to type at the ASA prompt (read-only).
_CHECK_VERBS = ("show ", "more ", "capture ", "debug ", "packet-tracer ", "ping ", "undebug ")
# A line that starts with one of these is configuration (or a config-mode action).
_CONFIG_VERBS = (
    "crypto ",
    "tunnel-group ",
    "access-list ",
    "nat ",
    "sla monitor",
    "group-policy ",
    "interface ",
    "no ",
    "object ",
    "object-group ",
    "ikev1 ",
    "ikev2 ",
    "set ",
    "peer-id-validate ",
    "vpn-filter ",
    "type echo",
    "frequency ",
    "ignore-ipsec-keyusage",
    "authentication ",
    "encryption ",
    "hash ",
    "group ",
    "lifetime ",
    "integrity ",
    "prf ",
    "protocol esp",
    "track ",
    "sysopt ",
)
# Sub-command modes: the lines after one of these are indented by one space on the ASA.
_MODE_ENTRY = re.compile(
    r"^(tunnel-group \S+ (ipsec|general)-attributes|crypto ikev[12] policy \d+|sla monitor \d+$"
    r"|group-policy \S+ attributes|crypto ipsec ikev2 ipsec-proposal \S+|interface \S+$"
    r"|crypto ca trustpoint \S+)"
)
_NOTE = re.compile(r"^(?P<body>.*?\S)\s{2,}\((?P<note>.*)\)\s*$")
_COMMAND_SEPARATOR = re.compile(r"\s+;\s+|\s+and\s+(?=(?:show|capture|debug|more) )")
_PHRASES = (" a few times", " on both sides", " (repeat)")


@dataclass(frozen=True)
class Step:
    """One runbook step: ``lines`` to paste (a command or a config block, may be empty)
    and ``note``, the prose that goes beside them."""

    lines: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class Runbook:
    """What a renderer prints for one finding."""

    evidence: tuple[str, ...]
    checks: tuple[Step, ...]
    remediation: tuple[Step, ...]


def _split_note(text: str) -> tuple[str, str]:
    match = _NOTE.match(text)
    return (match.group("body"), match.group("note")) if match else (text.strip(), "")


def _is_check(text: str) -> bool:
    if text.startswith("capture ") and " interface " not in text:
        return False  # "capture udp/500 on outside": a hint, not a command to paste
    return text.startswith(_CHECK_VERBS)


def _is_config(text: str) -> bool:
    return text.startswith(_CONFIG_VERBS) or re.match(r"^route \S+ \d", text) is not None


def check_steps(text: str) -> list[Step]:
    """``cmd ; cmd   (note)`` / ``cmd and cmd: note`` -> one step per command; prose only
    when no command is recognisable."""
    body, note = _split_note(text)
    if not _is_check(body):
        return [Step((), text)]
    if re.search(r"<[A-Za-z-]+>$|<[A-Za-z-]+> ", body):  # a placeholder left: fill by hand
        note = f"replace the <...> placeholders{'; ' + note if note else ''}"
    head, sep, tail = body.partition(": ")
    if sep and not _is_check(tail):
        body, note = head, f"{tail}{'; ' + note if note else ''}"
    for phrase in _PHRASES:
        if phrase in body:
            body = body.replace(phrase, "")
            note = f"{phrase.strip()}{': ' + note if note else ''}"
    parts = [p.strip() for p in _COMMAND_SEPARATOR.split(body)]
    commands = tuple(p for p in parts if _is_check(p))
    if not commands:
        return [Step((), text)]
    return [Step(commands, note)]


def _ike_versions_of(text: str) -> set[int]:
    found = {int(v) for v in re.findall(r"\bikev([12])\b", text, re.IGNORECASE)}
    if re.match(r"^IKEv([12]):", text):
        found = {int(text[4])}
    return found


_REJECTED_PROXY = re.compile(
    r"remote proxy (\S+?)/(\S+?)/\d+/\d+ local proxy (\S+?)/(\S+?)/\d+/\d+"
)


def _proposed(evidence: tuple[str, ...]) -> dict[str, str]:
    """The proxies a 713061 line says the peer proposed, as ``addr mask`` for an ACE."""
    for line in evidence:
        match = _REJECTED_PROXY.search(line)
        if match:
            raddr, rmask, laddr, lmask = match.groups()
            return {"<local>": f"{laddr} {lmask}", "<remote>": f"{raddr} {rmask}"}
    return {}


def _fill(text: str, names: dict[str, str], peer: str) -> str:
    acl = names.get("acl")
    replacements = {
        "<MAP>": names.get("crypto_map"),
        "<SEQ>": names.get("seq"),
        "<ACL>": acl,
        "<crypto-acl>": acl,
        "<acl-amzn>": acl,
        "<T>": names.get("transform_set") if "transform-set" in text else None,
        "<P>": names.get("transform_set") if "ipsec-proposal" in text else None,
        "<TUNNEL-GROUP>": names.get("tunnel_group") or peer,
    }
    for placeholder, value in replacements.items():
        if value:
            text = text.replace(placeholder, value)
    return text


def _config_block(text: str) -> tuple[str, ...]:
    """``a / b / c`` -> lines, with sub-commands of a mode indented by one space."""
    lines: list[str] = []
    in_mode = False
    for part in (p.strip() for p in re.split(r"\s+/\s+", text)):
        if not part:
            continue
        if _MODE_ENTRY.match(part):
            lines.append(part)
            in_mode = True
        else:
            lines.append(f" {part}" if in_mode else part)
    return tuple(lines)


def remediation_steps(
    text: str,
    ike_version: int,
    names: dict[str, str],
    peer: str,
    proposed: dict[str, str] | None = None,
) -> list[Step]:
    """One remediation item -> a config block in the tunnel's IKE version (or prose)."""
    if text[:1].isspace() and text.strip():
        return [Step((text.rstrip(),))]  # an exact sub-command line from a config check
    body, note = _split_note(text)
    for placeholder, value in (proposed or {}).items():
        body = body.replace(placeholder, value)
    versions = _ike_versions_of(body)
    # written for the other IKE version only ("IKEv2: ...", "set ikev1 transform-set")
    if (
        ike_version in (1, 2)
        and versions
        and ike_version not in versions
        and not body.lower().startswith(("use the same ike version", "crypto ikev2 enable"))
    ):
        return []
    body = re.sub(r"^IKEv[12]:\s*", "", body)
    if not _is_config(body):
        head, sep, tail = body.partition(": ")
        tail = re.sub(r"^here\s+", "", tail)
        tail, _, rest = tail.partition(", ")
        if sep and _is_config(tail):
            note = "; ".join(x for x in (head, rest, note) if x)
            body = tail
        else:
            return [Step((), _fill(text, names, peer))]
    block = _config_block(_fill(body, names, peer))
    return [Step(block, note)]


def runbook(finding: Finding, tunnel: TunnelDiagnosis) -> Runbook:
    """The runbook for ``finding`` on ``tunnel`` (see the module docstring)."""
    ike = int(tunnel.phase1.get("ike_version") or 0)
    checks: list[Step] = []
    for item in finding.checks:
        checks += check_steps(_fill(item, tunnel.names, tunnel.peer))
    proposed = _proposed(finding.evidence)
    remediation: list[Step] = []
    for item in finding.remediation:
        remediation += remediation_steps(item, ike, tunnel.names, tunnel.peer, proposed)
    return Runbook(tuple(finding.evidence), tuple(checks), tuple(_merge(remediation)))


def _merge(steps: list[Step]) -> list[Step]:
    """Consecutive config steps without notes become one block (one paste)."""
    merged: list[Step] = []
    for step in steps:
        if merged and step.lines and not step.note and merged[-1].lines and not merged[-1].note:
            merged[-1] = Step(merged[-1].lines + step.lines)
        else:
            merged.append(step)
    return merged


_RAW_PROXY = re.compile(
    r"\b(\d{1,3}(?:\.\d{1,3}){3})/(\d{1,3}(?:\.\d{1,3}){3})(?:/(\d+)/(\d+))?(?![\d.])"
)


def cidr(text: str) -> str:
    """``10.10.0.0/255.255.255.0/0/0`` -> ``10.10.0.0/24`` (protocol/port kept when set),
    everywhere in ``text``; used for prose, never for evidence (which stays as printed)."""

    def one(match: re.Match[str]) -> str:
        address, mask, proto, port = match.groups()
        try:
            bits = sum(bin(int(octet)).count("1") for octet in mask.split("."))
        except ValueError:
            return match.group(0)
        extra = ""
        if proto and proto != "0":
            extra += f" proto {proto}"
        if port and port != "0":
            extra += f" port {port}"
        return f"{address}/{bits}{extra}"

    return _RAW_PROXY.sub(one, text)


def proxies_line(tunnel: TunnelDiagnosis) -> str:
    """``10.10.1.0/24 <-> 172.20.1.0/24`` for each SA pair ("" when none)."""
    pairs = tunnel.phase2.get("proxies") or []
    return ", ".join(
        f"{cidr(str(p.get('local', '')))} <-> {cidr(str(p.get('remote', '')))}"
        for p in pairs
        if isinstance(p, dict)
    )

"""The catalogue of ASA debug and syslog messages (``playbooks/messages.yaml``) and a fast
matcher over captured lines.

Why this exists: phase 1 states and SA counters say *where* a tunnel stops; the debug and
syslog lines usually say *why* (a proxy-ID mismatch, a rejected proposal, a bad certificate).
The engine needs those lines as structured evidence, tied to a peer and to a Contract 3
finding code, without re-implementing regexes in every rule.

The knowledge itself is data: each entry of ``messages.yaml`` has its regex, what it implies,
its meaning and real sample lines (the file's header documents every key). This module only
loads it, validates it once (a bad regex, an unknown key or code, a missing or non-matching
sample fails with the file and line), and matches lines against it. Each entry becomes a
:class:`MessagePattern`:

* ``id``: a stable key (the syslog id where one pattern owns it, e.g. ``"713061"``, otherwise
  a descriptive name such as ``"IKEV1_PAYLOAD_MALFORMED"``); ``syslog`` holds the ASA message
  id (``"713902"``) so several patterns can share one id;
* ``implies``: the Contract 3 code the line points at, or ``None`` for context-only lines;
* ``confidence``: the tag from KNOWLEDGE.md (V verified text, S practitioner source with
  device output, I inference, U unverified). Treat ``U`` patterns as hints, never as proof;
* ``strength``: ``decisive`` when the line alone names the fault, ``supporting`` when it
  needs a state or another line to mean something (e.g. QM FSM error, 713068).

Matching is written for thousands of lines: one combined pre-filter regex (built from each
pattern's literal ``guard``) rejects uninteresting lines in a single C-level scan; only lines
that pass are checked per pattern, each pattern first by its guard substring. Patterns are
compiled once, on first use (importing this module reads no file).
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import yaml

from vpn_doctor.diagnose.findings import CONTRACT3_CODES
from vpn_doctor.errors import PlaybookError
from vpn_doctor.resources import playbooks_dir
from vpn_doctor.yaml_lines import KeyPath, error_line, parse_with_lines

Confidence = Literal["V", "S", "I", "U"]
Strength = Literal["decisive", "supporting"]

#: Contract 3 (shared/DESIGN.md): every ``implies`` must be one of these.
FINDING_CODES: frozenset[str] = frozenset(CONTRACT3_CODES)


@dataclass(frozen=True)
class MessagePattern:
    """One recognisable ASA message and what it tells the engine."""

    id: str
    regex: re.Pattern[str]
    title: str
    meaning: str
    implies: str | None
    phase: int | None
    confidence: Confidence
    strength: Strength
    guard: str  # literal substring present in every matching line (pre-filter)
    syslog: str | None = None  # ASA message id, e.g. "713061"
    sources: tuple[str, ...] = ()
    note: str = ""
    #: A generic pattern reported only when no specific pattern matched the same line
    #: (e.g. 113019 with an unknown Reason, 713068 with an unknown notify type).
    fallback: bool = False
    #: Device lines this pattern must match (from messages.yaml; checked at load and in tests).
    samples: tuple[str, ...] = field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class DebugEvidence:
    """One device line matched by one catalogue pattern."""

    pattern: MessagePattern
    line: str  # the exact device line (evidence must quote the device)
    peer: str | None  # peer address from IP = / Group = / Remote: / from X (user=...)
    line_no: int = 0  # 0-based position in the input
    fields: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def implies(self) -> str | None:
        return self.pattern.implies

    @property
    def decisive(self) -> bool:
        return self.pattern.strength == "decisive"


CONFIDENCES: tuple[Confidence, ...] = ("V", "S", "I", "U")
STRENGTHS: tuple[Strength, ...] = ("decisive", "supporting")
_REQUIRED = (
    "id", "regex", "guard", "implies", "strength", "phase", "confidence", "title", "meaning"
)  # fmt: skip
#: ``samples`` is required too; its absence gets its own message (it is the entry's proof).
_OPTIONAL = ("syslog", "note", "sources", "fallback", "samples")


def catalogue_file() -> Path:
    """The shipped catalogue, beside the playbooks."""
    return playbooks_dir() / "messages.yaml"


def load_catalogue(path: Path | None = None) -> tuple[MessagePattern, ...]:
    """Read and validate a message catalogue file (default: the shipped one).

    Every problem is a :class:`~vpn_doctor.errors.PlaybookError` naming ``file:line``: a YAML
    syntax error, a missing or unknown key, a regex that does not compile, an ``implies`` that
    is not a Contract 3 code, an entry without samples or a sample its own regex (or guard)
    does not match, a duplicate id.
    """
    path = path or catalogue_file()
    try:
        data, lines = parse_with_lines(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlaybookError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise PlaybookError(f"{path}:{error_line(exc) or 0}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict) or data.get("kind") != "messages":
        raise PlaybookError(f"{path}:1: expected a mapping with 'kind: messages'")
    extra = sorted(set(map(str, data)) - {"kind", "description", "messages"})
    if extra:
        raise PlaybookError(f"{path}:{lines.get((extra[0],), 0)}: unknown top-level key(s) {extra}")
    entries = data.get("messages")
    if not isinstance(entries, list) or not entries:
        raise PlaybookError(f"{path}:{lines.get(('messages',), 0)}: 'messages' must be a list")
    patterns: list[MessagePattern] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        pattern = _entry(entry, str(path), ("messages", index), lines)
        if pattern.id in seen:
            where = _where(str(path), lines, ("messages", index, "id"))
            raise PlaybookError(f"{where}: duplicate message id {pattern.id!r}")
        seen.add(pattern.id)
        patterns.append(pattern)
    return tuple(patterns)


def _where(file: str, lines: Mapping[KeyPath, int], key: KeyPath) -> str:
    """``file:line`` of ``key``, or of the nearest enclosing item that has a line."""
    while key and key not in lines:
        key = key[:-1]
    return f"{file}:{lines.get(key, 0)}"


def _entry(entry: Any, file: str, at: KeyPath, lines: Mapping[KeyPath, int]) -> MessagePattern:
    where = _where(file, lines, at)
    if not isinstance(entry, dict):
        raise PlaybookError(f"{where}: a message entry must be a mapping")
    name = entry.get("id")
    where = f"{where}: message {name!r}"

    def fail(key: str, problem: str) -> PlaybookError:
        return PlaybookError(f"{_where(file, lines, (*at, key))}: message {name!r}: {problem}")

    unknown = sorted(set(map(str, entry)) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise fail(unknown[0], f"unknown key(s) {unknown}; known: {sorted(_REQUIRED + _OPTIONAL)}")
    missing = [key for key in _REQUIRED if key not in entry]
    if missing:
        raise PlaybookError(f"{where}: missing key(s) {missing}")
    for key in ("id", "regex", "guard", "title", "meaning"):
        if not isinstance(entry[key], str) or not entry[key]:
            raise fail(key, f"'{key}' must be a non-empty string")
    for key in ("syslog", "note"):
        if entry.get(key) is not None and not isinstance(entry[key], str):
            raise fail(key, f"'{key}' must be a string")
    try:
        regex = re.compile(entry["regex"])
    except re.error as exc:
        raise fail("regex", f"regex does not compile: {exc}") from exc
    implies = entry["implies"]
    if implies is not None and implies not in FINDING_CODES:
        close = difflib.get_close_matches(str(implies), sorted(FINDING_CODES), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise fail("implies", f"'implies' {implies!r} is not a finding code (Contract 3){hint}")
    if entry["strength"] not in STRENGTHS:
        raise fail("strength", f"'strength' must be one of {list(STRENGTHS)}")
    if entry["strength"] == "decisive" and implies is None:
        raise fail("strength", "a decisive message must imply a finding code")
    if entry["phase"] not in (1, 2, None):
        raise fail("phase", "'phase' must be 1, 2 or null")
    if entry["confidence"] not in CONFIDENCES:
        raise fail("confidence", f"'confidence' must be one of {list(CONFIDENCES)}")
    if entry["confidence"] == "U" and not entry.get("note"):
        raise fail("confidence", "an unverified [U] message needs a 'note' on what is unverified")
    if not isinstance(entry.get("fallback", False), bool):
        raise fail("fallback", "'fallback' must be true or false")
    sources = entry.get("sources") or []
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise fail("sources", "'sources' must be a list of strings")
    samples = entry.get("samples")
    if not isinstance(samples, list) or not samples:
        raise fail("samples", "needs 'samples': at least one device line it matches")
    for number, sample in enumerate(samples):
        if not isinstance(sample, str) or entry["guard"] not in sample or not regex.search(sample):
            raise PlaybookError(
                f"{_where(file, lines, (*at, 'samples', number))}: message {name!r}: sample "
                f"{number + 1} is not matched by its own regex and guard: {sample!r}"
            )
    return MessagePattern(
        id=entry["id"],
        regex=regex,
        title=entry["title"],
        meaning=entry["meaning"],
        implies=implies,
        phase=entry["phase"],
        confidence=cast(Confidence, entry["confidence"]),
        strength=cast(Strength, entry["strength"]),
        guard=entry["guard"],
        syslog=entry.get("syslog"),
        sources=tuple(sources),
        note=entry.get("note") or "",
        fallback=bool(entry.get("fallback", False)),
        samples=tuple(samples),
    )


@dataclass(frozen=True)
class _Compiled:
    patterns: tuple[MessagePattern, ...]
    prefilter: re.Pattern[str]


@functools.cache
def _compiled() -> _Compiled:
    """The shipped catalogue, loaded, validated and compiled once per process."""
    patterns = load_catalogue()
    return _Compiled(patterns, _build_prefilter(patterns))


def catalogue() -> tuple[MessagePattern, ...]:
    """Every pattern of the shipped catalogue, in file order."""
    return _compiled().patterns


#: The shipped catalogue (read on first access, see ``__getattr__``).
CATALOGUE: tuple[MessagePattern, ...]


def __getattr__(name: str) -> Any:
    """``CATALOGUE`` is read on first use, so importing this module costs no file read."""
    if name == "CATALOGUE":
        return catalogue()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _build_prefilter(patterns: Sequence[MessagePattern]) -> re.Pattern[str]:
    """One alternation of all guards: a line matching none of them is skipped in one scan."""
    guards = sorted({p.guard for p in patterns}, key=len, reverse=True)
    return re.compile("|".join(re.escape(g) for g in guards))


_IP = r"(\d{1,3}(?:\.\d{1,3}){3})"
#: Where the peer address sits, most specific first. "IP = x" is the negotiating peer; a
#: "Group = x" may be a name, so it comes second; "from X (user=" is ESP's sender.
_PEER_RES: tuple[re.Pattern[str], ...] = (
    re.compile(r"\bIP\s*=\s*" + _IP),
    re.compile(r"\bGroup\s*=\s*" + _IP),
    re.compile(r"\bRemote:" + _IP),
    re.compile(r"\bfrom " + _IP + r"(?::\d+)? \(user="),
    re.compile(r"\bIKE Peer:?\s+" + _IP),
    re.compile(r"\bpeer\s+" + _IP),
    re.compile(r"\[From " + _IP),
)


def extract_peer(line: str) -> str | None:
    """Return the peer address a debug/syslog line is about, or None if it names none."""
    for rx in _PEER_RES:
        m = rx.search(line)
        if m:
            return m.group(1)
    return None


def match_line(line: str, line_no: int = 0) -> list[DebugEvidence]:
    """All catalogue matches for one line (specific ones suppress fallback ones)."""
    compiled = _compiled()
    if not compiled.prefilter.search(line):
        return []
    specific: list[DebugEvidence] = []
    generic: list[DebugEvidence] = []
    peer: str | None = None
    peer_done = False
    for pat in compiled.patterns:
        if pat.guard not in line:
            continue
        m = pat.regex.search(line)
        if m is None:
            continue
        if not peer_done:
            peer, peer_done = extract_peer(line), True
        fields = {k: v for k, v in m.groupdict().items() if v is not None}
        ev = DebugEvidence(pattern=pat, line=line, peer=peer, line_no=line_no, fields=fields)
        (generic if pat.fallback else specific).append(ev)
    return specific or generic


def match_lines(lines: Iterable[str]) -> list[DebugEvidence]:
    """Match every line against the catalogue; results keep the input order.

    Trailing newlines are stripped; the evidence keeps the rest of the line exactly.
    """
    out: list[DebugEvidence] = []
    for n, raw in enumerate(lines):
        line = raw.rstrip("\r\n")
        if line:
            out.extend(match_line(line, n))
    return out


def evidence_for_peer(
    evidences: Iterable[DebugEvidence], peer: str, *, include_unattributed: bool = False
) -> list[DebugEvidence]:
    """Evidence about ``peer``.

    Some messages name no peer (717009/717027 certificate lines). When the capture was
    conditioned on one peer (`debug crypto condition peer X`) those belong to it: pass
    ``include_unattributed=True`` to keep them.
    """
    return [e for e in evidences if e.peer == peer or (include_unattributed and e.peer is None)]


def unanswered_resends(evidences: Sequence[DebugEvidence], peer: str) -> list[DebugEvidence]:
    """IKE_DECODE RESENDING lines for ``peer`` with no IKE_DECODE RECEIVED after them.

    This is the 'RESENDING without RECEIVED' signature of a peer that does not answer: a
    resend followed by a reply is ordinary packet loss, not IKE_NO_RESPONSE.
    """
    resends: list[DebugEvidence] = []
    for e in evidences:
        if e.peer != peer:
            continue
        if e.pattern.id == "IKE_DECODE_RECEIVED":
            resends.clear()
        elif "IKE_DECODE RESENDING" in e.line and e.line not in {r.line for r in resends}:
            resends.append(e)
    return resends


def codes_implied(evidences: Iterable[DebugEvidence]) -> list[str]:
    """Distinct implied finding codes, decisive ones first, in first-seen order."""
    decisive: dict[str, None] = {}
    supporting: dict[str, None] = {}
    for e in evidences:
        if e.pattern.implies is None:
            continue
        (decisive if e.decisive else supporting)[e.pattern.implies] = None
    return list(decisive) + [c for c in supporting if c not in decisive]


_SYSLOG_KEY = re.compile(r"^%?(?:ASA|PIX|FTD)-(?:[a-z]+-)?\d-(\d{6}):?$", re.IGNORECASE)


def lookup(key: str) -> list[MessagePattern]:
    """Patterns for a syslog id ('713061', '%ASA-3-713061', 'ASA-3-713061:') or pattern id.

    713073..713076 (the lifetime override family) all resolve to LIFETIME_OVERRIDE.
    """
    k = key.strip()
    m = _SYSLOG_KEY.match(k)
    if m:
        k = m.group(1)
    if k.isdigit() and k in {"713074", "713075", "713076"}:
        k = "713073"
    if k.isdigit() and k == "717028":
        k = "717022"
    if k.isdigit() and k == "750012":
        k = "750011"
    if k.isdigit() and k in {"751002", "751010"}:
        k = "751004"
    if k.isdigit() and k in {"402122"}:
        k = "402121"
    if k.isdigit() and k in {"713262"}:
        k = "713227"
    upper = k.upper()
    return [
        p
        for p in catalogue()
        if p.syslog == k or p.id.upper() == upper or (k.isdigit() and p.id.startswith(k))
    ]


def pattern_by_id(pattern_id: str) -> MessagePattern:
    """The pattern with this exact id (KeyError if unknown)."""
    for p in catalogue():
        if p.id == pattern_id:
            return p
    raise KeyError(pattern_id)

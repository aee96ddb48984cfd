"""Offline knowledge lookup: what an IKE state, syslog id or finding code means.

Why: an engineer in front of a stuck tunnel sees ``MM_WAIT_MSG5`` or ``%ASA-3-713061`` and
needs the meaning (per role), the likely causes, the read-only checks and the fix, without
network access. ``vpn-doctor explain TERM`` renders what :func:`explain` returns.

The hand-written entries live in ``data/knowledge.yaml`` (plain data, validated once on first
use). Syslog ids that have no hand-written entry are explained from the debug/syslog
catalogue (:mod:`vpn_doctor.diagnose.messages`), borrowing checks and fixes from the finding code
the
message implies, so every catalogued message can be explained.

No rendering here: the CLI owns presentation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any, Literal, cast

from vpn_doctor import yaml_lines
from vpn_doctor.diagnose.messages import FINDING_CODES, MessagePattern, catalogue, lookup
from vpn_doctor.errors import InputError

Kind = Literal["ike_state", "ikev2_status", "syslog", "finding"]
_KINDS: frozenset[str] = frozenset({"ike_state", "ikev2_status", "syslog", "finding"})
_CONFIDENCE: frozenset[str] = frozenset({"V", "S", "I", "U"})
_ROLES: frozenset[str] = frozenset({"initiator", "responder", "either"})
_LIST_KEYS = ("causes", "checks", "remediation", "related", "sources", "aliases")
_REQUIRED = ("key", "kind", "confidence", "title", "meaning")
_ALLOWED = frozenset((*_REQUIRED, *_LIST_KEYS, "role"))


# Finding codes this project adds to Contract 3 that explain() also answers for.
EXTENSION_CODES: frozenset[str] = frozenset({"SA_EXPIRING_NO_REKEY", "CONFIG_NOTE"})


class KnowledgeError(InputError):
    """The shipped knowledge file is malformed (a packaging bug, caught by the tests)."""


@dataclass(frozen=True)
class Explanation:
    """Everything we know offline about one term."""

    key: str  # canonical key: "MM_WAIT_MSG5", "713061", "IKE_AUTH_FAILED"
    kind: Kind
    title: str
    meaning: str
    confidence: str  # V / S / I / U (KNOWLEDGE.md tags); U = treat as a hint
    role: str = ""  # initiator / responder / either (IKE states)
    causes: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()  # read-only commands or what to look for
    remediation: tuple[str, ...] = ()  # config lines or actions; never applied by the tool
    related: tuple[str, ...] = ()  # Contract 3 finding codes
    sources: tuple[str, ...] = ()  # KNOWLEDGE.md source IDs / seed:NNN
    aliases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()  # message catalogue pattern ids for syslog terms


def _str_list(entry: dict[str, Any], name: str, where: str) -> tuple[str, ...]:
    value = entry.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KnowledgeError(f"{where}: '{name}' must be a list of strings")
    return tuple(value)


def _parse_entry(raw: object, index: int) -> Explanation:
    where = f"knowledge.yaml entry #{index}"
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{where}: not a mapping")
    entry = cast(dict[str, Any], raw)
    where = f"knowledge.yaml entry {entry.get('key', '#' + str(index))!r}"
    unknown = set(entry) - _ALLOWED
    if unknown:
        raise KnowledgeError(f"{where}: unknown keys {sorted(unknown)}")
    for name in _REQUIRED:
        if not isinstance(entry.get(name), str) or not entry[name].strip():
            raise KnowledgeError(f"{where}: '{name}' must be a non-empty string")
    if entry["kind"] not in _KINDS:
        raise KnowledgeError(f"{where}: kind {entry['kind']!r} not in {sorted(_KINDS)}")
    if entry["confidence"] not in _CONFIDENCE:
        raise KnowledgeError(f"{where}: confidence must be one of V/S/I/U")
    role = entry.get("role", "")
    if role and role not in _ROLES:
        raise KnowledgeError(f"{where}: role {role!r} not in {sorted(_ROLES)}")
    related = _str_list(entry, "related", where)
    bad = [c for c in related if c not in FINDING_CODES]
    if bad:
        raise KnowledgeError(f"{where}: related codes not in Contract 3: {bad}")
    key = entry["key"].strip()
    if entry["kind"] == "finding" and key not in FINDING_CODES | EXTENSION_CODES:
        raise KnowledgeError(f"{where}: finding key is not a Contract 3 code")
    return Explanation(
        key=key,
        kind=cast(Kind, entry["kind"]),
        title=entry["title"].strip(),
        meaning=entry["meaning"].strip(),
        confidence=entry["confidence"],
        role=role,
        causes=_str_list(entry, "causes", where),
        checks=_str_list(entry, "checks", where),
        remediation=_str_list(entry, "remediation", where),
        related=related,
        sources=_str_list(entry, "sources", where),
        aliases=_str_list(entry, "aliases", where),
    )


@cache
def knowledge() -> dict[str, Explanation]:
    """All hand-written entries, indexed by normalised key and alias (loaded once)."""
    text = resources.files("vpn_doctor").joinpath("data/knowledge.yaml").read_text("utf-8")
    doc = yaml_lines.load(text)
    if not isinstance(doc, dict) or doc.get("schema") != 1:
        raise KnowledgeError("knowledge.yaml: expected a mapping with schema: 1")
    entries = doc.get("entries")
    if not isinstance(entries, list):
        raise KnowledgeError("knowledge.yaml: 'entries' must be a list")
    index: dict[str, Explanation] = {}
    for i, raw in enumerate(entries):
        exp = _parse_entry(raw, i)
        for name in (exp.key, *exp.aliases):
            norm = _normalise(name)
            if norm in index:
                raise KnowledgeError(f"knowledge.yaml: duplicate key or alias {name!r}")
            index[norm] = exp
    missing = FINDING_CODES - {e.key for e in index.values() if e.kind == "finding"}
    if missing:
        raise KnowledgeError(f"knowledge.yaml: finding codes without an entry: {sorted(missing)}")
    return index


_SYSLOG = re.compile(r"^%?(?:ASA|PIX|FTD)-\d-(\d{6}):?$")


def _normalise(term: str) -> str:
    """'%ASA-3-713061:' -> '713061'; 'mm_wait_msg5' -> 'MM_WAIT_MSG5' (case-insensitive)."""
    t = term.strip().upper()
    m = _SYSLOG.match(t)
    return m.group(1) if m else t


def _from_catalogue(key: str, patterns: list[MessagePattern]) -> Explanation:
    """Explain a catalogued message with no hand-written entry, borrowing from its codes."""
    related = tuple(dict.fromkeys(p.implies for p in patterns if p.implies))
    checks: list[str] = []
    remediation: list[str] = []
    for code in related:
        finding = knowledge().get(code)
        if finding is not None:
            checks.extend(finding.checks)
            remediation.extend(finding.remediation)
    order = "VSIU"
    confidence = max((p.confidence for p in patterns), key=order.index)
    meaning = " ".join(dict.fromkeys(p.meaning for p in patterns))
    if confidence == "U":  # the catalogue's notes are for maintainers; say it plainly instead
        meaning += " Treat this as a hint: the message's wording was not verified on a device."
    return Explanation(
        key=key,
        kind="syslog",
        title=patterns[0].title,
        meaning=meaning,
        confidence=confidence,
        causes=(),
        checks=tuple(dict.fromkeys(checks)),
        remediation=tuple(dict.fromkeys(remediation)),
        related=related,
        sources=tuple(dict.fromkeys(s for p in patterns for s in p.sources)),
        patterns=tuple(p.id for p in patterns),
    )


def explain(term: str) -> Explanation | None:
    """Look up an IKE state, IKEv2 status, syslog id (any ``%ASA-n-`` form), pattern id or
    finding code. Returns None when nothing is known (the CLI says so; never raises for an
    unknown term)."""
    norm = _normalise(term)
    if not norm:
        return None
    hit = knowledge().get(norm)
    if hit is not None and hit.kind == "syslog":
        # the catalogue's pattern ids, for this entry only: reading (and compiling) the whole
        # message catalogue for every `explain MM_WAIT_MSG6` would double its start-up time
        return replace(hit, patterns=tuple(p.id for p in lookup(hit.key)))
    if hit is not None:
        return hit if hit.key == norm else _as_alias(norm, hit)
    patterns = lookup(norm)
    if patterns:
        return _from_catalogue(norm, patterns)
    return None


def _as_alias(term: str, entry: Explanation) -> Explanation:
    """``OAK_MM_NO_STATE`` answers as itself, saying which state it is another name of."""
    relation = "PIX/IOS name of" if term.startswith("OAK_") else "read as"
    return replace(
        entry,
        key=term,
        title=f"{entry.title} ({relation} {entry.key})",
        aliases=tuple(a for a in (entry.key, *entry.aliases) if a != term),
    )


def known_terms() -> list[str]:
    """Every term explain() answers for: hand-written keys and aliases plus catalogue ids."""
    terms = set(knowledge())
    terms.update(p.syslog for p in catalogue() if p.syslog)
    terms.update(p.id for p in catalogue())
    return sorted(terms)

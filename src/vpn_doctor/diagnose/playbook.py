"""Load and validate the troubleshooting trees in ``playbooks/*.yaml``.

A playbook is pure data. Two kinds of file live in the directory:

``kind: findings`` (one file): the catalogue, one entry per finding code (Contract 3 plus
``DIAGNOSIS_INCOMPLETE``): severity, verdict, phase, title, meaning, checks, remediation.

``kind: playbook``: a tree of nodes, keyed by id::

    kind: playbook
    name: phase1            # node ids are qualified as phase1.<id> from other files
    root: true              # exactly one playbook is the root; its entry starts every walk
    entry: start
    nodes:
      start:
        step: Is there an IKE SA for the peer?
        when: {predicate: has_ike_sa}            # or {all: [...]}, {any: [...]}, {not: {...}}
        says_yes: "show crypto isakmp sa: peer {peer} has an IKE SA ({ike_states})"
        says_no: "show crypto isakmp sa: no IKE SA for peer {peer}"
        then: state             # a node id here, or other_playbook.node_id
        else: no_sa
      no_sa:
        finding: IKE_NO_SA      # a leaf: defaults from the catalogue, any field overridable
        says: "-> nothing has tried to build the tunnel"
        alternatives:           # other causes that fit the same evidence
          - finding: IPSEC_PFS_MISMATCH
            separating_check: "show running-config crypto map | include set pfs (both sides)"

``says_yes``/``says_no``/``says`` are the readable path steps (``{placeholders}`` from
:data:`~vpn_doctor.diagnose.tunnel_context.FACT_NAMES`); a branch without text is a quiet step.

Two more kinds share the directory and are not trees: ``kind: messages`` (the debug/syslog
catalogue, :mod:`vpn_doctor.diagnose.messages`) and ``kind: vocabulary`` (the words a
playbook may use, :mod:`vpn_doctor.vocabulary`); a directory without them uses the shipped ones.
A directory's own ``messages.yaml`` is validated and its ids are what ``debug_pattern`` may
name; matching debug lines always uses the shipped catalogue.

Everything is checked once, at load: the schema and unknown keys, that every predicate
exists and accepts the given params, that every parameter value is a known word (an IKE state,
a finding code, a severity, a message id: ``MM_WAIT_MSG22`` fails), every reference resolves,
every node is reachable from the root entry, there are no cycles, every leaf names a
catalogue code, every placeholder is known. Errors are
:class:`~vpn_doctor.errors.PlaybookError` naming the file, line and node.
"""

from __future__ import annotations

import difflib
import fnmatch
import inspect
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from vpn_doctor.diagnose.findings import ALL_CODES, CONTRACT3_CODES, SEVERITIES, VERDICTS
from vpn_doctor.diagnose.messages import STRENGTHS, catalogue, catalogue_file, load_catalogue
from vpn_doctor.diagnose.predicates import REGISTRY
from vpn_doctor.diagnose.tunnel_context import FACT_NAMES, TunnelContext
from vpn_doctor.errors import PlaybookError
from vpn_doctor.resources import playbooks_dir
from vpn_doctor.vocabulary import Vocabulary, load_vocabulary, vocabulary, vocabulary_file
from vpn_doctor.yaml_lines import parse_with_lines

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_DECISION_KEYS = {"step", "when", "then", "else", "says_yes", "says_no"}
_LEAF_KEYS = {
    "step",
    "finding",
    "says",
    "severity",
    "verdict",
    "title",
    "meaning",
    "checks",
    "remediation",
    "alternatives",
}
_CATALOGUE_KEYS = {
    "severity",
    "verdict",
    "phase",
    "title",
    "meaning",
    "checks",
    "remediation",
    "next_steps",
}
#: Vocabularies whose predicates compare without case (ike_state_in, ike_role_is).
_CASELESS = {"ike_states", "ike_roles"}
_GLOB = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Condition:
    """A predicate call, or all/any/not of conditions."""

    predicate: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    all_of: tuple[Condition, ...] = ()
    any_of: tuple[Condition, ...] = ()
    negate: Condition | None = None

    def evaluate(self, ctx: TunnelContext) -> bool:
        """Evaluate against one tunnel; may raise Undetermined (left to the engine)."""
        if self.predicate:
            return REGISTRY[self.predicate](ctx, **self.params)
        if self.negate is not None:
            return not self.negate.evaluate(ctx)
        if self.all_of:
            return all(c.evaluate(ctx) for c in self.all_of)
        return any(c.evaluate(ctx) for c in self.any_of)


@dataclass(frozen=True)
class Alternative:
    """Another cause that fits the same evidence, with the check that tells them apart."""

    finding: str
    separating_check: str
    # the read-only steps the guided run offers to separate them, best first (next_step.py)
    steps: tuple[str, ...] = ()


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    severity: str
    verdict: str
    phase: str
    title: str
    meaning: str
    checks: tuple[str, ...]
    remediation: tuple[str, ...]
    next_steps: tuple[str, ...] = ()  # read-only steps that settle what is still open


@dataclass(frozen=True)
class Leaf:
    """A conclusion: a catalogue entry with this node's overrides applied."""

    code: str
    severity: str
    verdict: str
    title: str
    meaning: str
    checks: tuple[str, ...]
    remediation: tuple[str, ...]
    alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True)
class Node:
    id: str  # qualified: playbook.node
    file: str
    line: int
    step: str = ""
    when: Condition | None = None
    then: str = ""
    otherwise: str = ""
    yes: str = ""
    no: str = ""
    says: str = ""
    leaf: Leaf | None = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}: node '{self.id}'"


@dataclass(frozen=True)
class PlaybookSet:
    """All playbooks of a directory, validated, ready to walk from ``root``."""

    root: str
    nodes: Mapping[str, Node]
    catalogue: Mapping[str, CatalogueEntry]
    files: tuple[str, ...] = ()

    def leaf_codes(self) -> set[str]:
        return {node.leaf.code for node in self.nodes.values() if node.leaf is not None}

    def missing_contract_codes(self) -> list[str]:
        """Contract 3 codes no leaf can produce (the shipped set must have none)."""
        codes = self.leaf_codes()
        return [code for code in CONTRACT3_CODES if code not in codes]


# ---- loading -----------------------------------------------------------------------------


def load_playbooks(directory: Path | None = None) -> PlaybookSet:
    """Load every ``*.yaml`` in ``directory`` (default: the shipped ``playbooks/``)."""
    directory = directory or playbooks_dir()
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise PlaybookError(f"{directory}: no playbook files (*.yaml)")
    # The shipped catalogue and vocabulary are read once per process, by their own modules.
    shipped = {catalogue_file().resolve(), vocabulary_file().resolve()}
    read = [(path, *_read_yaml(path)) for path in files if path.resolve() not in shipped]
    kinds = {"findings", "playbook", "messages", "vocabulary"}
    for path, data, _ in read:
        if data.get("kind") not in kinds:
            raise PlaybookError(
                f"{path}: 'kind' must be one of {sorted(kinds)}, got {data.get('kind')!r}"
            )
    # The directory's own vocabulary and message catalogue if it has them, else the shipped.
    vocabularies = [load_vocabulary(path) for path, data, _ in read if data["kind"] == "vocabulary"]
    words = vocabularies[0] if vocabularies else vocabulary()
    message_files = [path for path, data, _ in read if data["kind"] == "messages"]
    patterns = load_catalogue(message_files[0]) if message_files else catalogue()
    catalogue_files = [(p, d, lines) for p, d, lines in read if d["kind"] == "findings"]
    if len(catalogue_files) > 1:
        raise PlaybookError(f"{catalogue_files[1][0]}: a second findings catalogue")
    if not catalogue_files:
        raise PlaybookError(f"{directory}: no findings catalogue (a file with kind: findings)")
    path, data, lines = catalogue_files[0]
    findings = _load_catalogue(str(path), data, lines, words)
    raw_books = [(str(p), d, lines) for p, d, lines in read if d["kind"] == "playbook"]
    known = _Words(words, findings, frozenset(p.id for p in patterns))
    return _build(raw_books, findings, tuple(str(f) for f in files), known)


@dataclass(frozen=True)
class _Words:
    """Every vocabulary a predicate parameter may draw from, for one load."""

    vocabulary: Vocabulary
    catalogue: Mapping[str, CatalogueEntry]
    message_ids: frozenset[str]

    def known(self, name: str) -> tuple[str | int, ...]:
        if name == "finding_codes":
            return tuple(self.catalogue)
        if name == "severities":
            return SEVERITIES
        if name == "strengths":
            return STRENGTHS
        if name == "message_ids":
            return tuple(sorted(self.message_ids))
        return self.vocabulary.lists[name]

    def check(self, predicate: str, params: Mapping[str, Any], where: str) -> None:
        """Every value of a vocabulary-backed parameter is a known word (globs match one)."""
        for param, value in params.items():
            name = self.vocabulary.parameters.get(param)
            if name is None or value is None:
                continue
            known = self.known(name)
            fold = name in _CASELESS
            words = {str(k).upper() if fold else k for k in known}
            for item in value if isinstance(value, list) else [value]:
                key = str(item).upper() if fold and isinstance(item, str) else item
                if isinstance(key, str) and _GLOB.search(key):
                    if any(fnmatch.fnmatchcase(str(w), key) for w in words):
                        continue
                elif key in words and not isinstance(key, bool):
                    continue
                close = difflib.get_close_matches(str(item), [str(k) for k in known], n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"known: {list(known)}"
                raise PlaybookError(
                    f"{where}: predicate '{predicate}': {param} {item!r} is not a known "
                    f"{name.replace('_', ' ')[:-1]} ({self.vocabulary.file}: {name}); {hint}"
                )


def _read_yaml(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse a file; also map node/finding keys to their line numbers for error messages."""
    try:
        data, key_paths = parse_with_lines(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PlaybookError(f"{path}: cannot read YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise PlaybookError(f"{path}: top level must be a mapping")
    lines = {
        str(path[1]): line
        for path, line in key_paths.items()
        if len(path) == 2 and path[0] in ("nodes", "findings") and isinstance(path[1], str)
    }
    return data, lines


def _strings(value: Any, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PlaybookError(f"{where}: '{key}' must be a list of strings")
    for item in value:
        _check_template(item, where, key)
    return tuple(value)


def _text(value: Any, where: str, key: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PlaybookError(f"{where}: '{key}' must be a string")
    _check_template(value, where, key)
    return value


def _check_template(text: str, where: str, key: str) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError as exc:
        raise PlaybookError(f"{where}: '{key}' has a bad placeholder: {exc}") from exc
    unknown = sorted(names - FACT_NAMES)
    if unknown:
        raise PlaybookError(
            f"{where}: '{key}' uses unknown placeholder(s) {unknown}; known: {sorted(FACT_NAMES)}"
        )


def _step(value: Any, where: str) -> str:
    """A guided step named in the data (``debug``, ``samples``, ``show <command>``), checked
    at load so a typo fails here and not in front of the engineer."""
    from vpn_doctor.diagnose.next_step import StepError, parse_step

    if value is None:
        return ""
    try:
        parse_step(value)
    except StepError as exc:
        raise PlaybookError(f"{where}: step {value!r}: {exc}") from exc
    return str(value)


def _steps(value: Any, where: str) -> tuple[str, ...]:
    """``step: debug`` or ``step: [debug, profile]`` -> validated step names."""
    items = value if isinstance(value, list) else [] if value is None else [value]
    return tuple(_step(item, where) for item in items)


def _load_catalogue(
    file: str, data: dict[str, Any], lines: dict[str, int], words: Vocabulary
) -> dict[str, CatalogueEntry]:
    extra = set(data) - {"kind", "findings", "description"}
    if extra:
        raise PlaybookError(f"{file}: unknown top-level key(s) {sorted(extra)}")
    entries = data.get("findings")
    if not isinstance(entries, dict):
        raise PlaybookError(f"{file}: 'findings' must be a mapping of code -> entry")
    catalogue: dict[str, CatalogueEntry] = {}
    for code, entry in entries.items():
        where = f"{file}:{lines.get(str(code), 0)}: finding '{code}'"
        if code not in ALL_CODES:
            raise PlaybookError(f"{where}: not a Contract 3 code")
        if not isinstance(entry, dict):
            raise PlaybookError(f"{where}: must be a mapping")
        extra = set(entry) - _CATALOGUE_KEYS
        if extra:
            raise PlaybookError(f"{where}: unknown key(s) {sorted(extra)}")
        severity, verdict, phase = entry.get("severity"), entry.get("verdict"), entry.get("phase")
        if severity not in SEVERITIES:
            raise PlaybookError(f"{where}: severity must be one of {SEVERITIES}")
        if verdict not in VERDICTS:
            raise PlaybookError(f"{where}: verdict must be one of {VERDICTS}")
        phases = words.lists["finding_phases"]
        if phase not in phases:
            raise PlaybookError(f"{where}: phase must be one of {sorted(map(str, phases))}")
        title = _text(entry.get("title"), where, "title")
        if not title:
            raise PlaybookError(f"{where}: needs a title")
        catalogue[code] = CatalogueEntry(
            code=code,
            severity=severity,
            verdict=verdict,
            phase=phase,
            title=title,
            meaning=_text(entry.get("meaning"), where, "meaning"),
            checks=_strings(entry.get("checks"), where, "checks"),
            remediation=_strings(entry.get("remediation"), where, "remediation"),
            next_steps=tuple(
                _step(step, where)
                for step in _strings(entry.get("next_steps"), where, "next_steps")
            ),
        )
    missing = [code for code in ALL_CODES if code not in catalogue]
    if missing:
        raise PlaybookError(f"{file}: catalogue lacks code(s) {missing}")
    return catalogue


def _condition(value: Any, where: str, words: _Words) -> Condition:
    if not isinstance(value, dict) or len(value) not in (1, 2):
        raise PlaybookError(f"{where}: 'when' must be {{predicate, params}}, all, any or not")
    if "predicate" in value:
        extra = set(value) - {"predicate", "params"}
        if extra:
            raise PlaybookError(f"{where}: unknown key(s) in condition {sorted(extra)}")
        name, params = value["predicate"], value.get("params") or {}
        if name not in REGISTRY:
            raise PlaybookError(f"{where}: unknown predicate '{name}'; known: {sorted(REGISTRY)}")
        if not isinstance(params, dict):
            raise PlaybookError(f"{where}: params of '{name}' must be a mapping")
        try:
            inspect.signature(REGISTRY[name]).bind(None, **params)
        except TypeError as exc:
            raise PlaybookError(f"{where}: bad params for predicate '{name}': {exc}") from exc
        words.check(name, params, where)
        return Condition(predicate=name, params=dict(params))
    if len(value) != 1:
        raise PlaybookError(f"{where}: a condition has exactly one of predicate/all/any/not")
    ((key, inner),) = value.items()
    if key == "not":
        return Condition(negate=_condition(inner, where, words))
    if key in ("all", "any") and isinstance(inner, list) and inner:
        parts = tuple(_condition(item, where, words) for item in inner)
        return Condition(all_of=parts) if key == "all" else Condition(any_of=parts)
    raise PlaybookError(f"{where}: unknown condition '{key}' (predicate/all/any/not)")


def _qualify(ref: Any, book: str, where: str, key: str) -> str:
    if not isinstance(ref, str) or not ref:
        raise PlaybookError(f"{where}: '{key}' must name a node")
    return ref if "." in ref else f"{book}.{ref}"


def _leaf(spec: dict[str, Any], where: str, catalogue: Mapping[str, CatalogueEntry]) -> Leaf:
    code = spec["finding"]
    if code not in ALL_CODES:
        raise PlaybookError(f"{where}: finding '{code}' is not a Contract 3 code")
    base = catalogue[code]
    severity = spec.get("severity", base.severity)
    verdict = spec.get("verdict", base.verdict)
    if severity not in SEVERITIES:
        raise PlaybookError(f"{where}: severity must be one of {SEVERITIES}")
    if verdict not in VERDICTS:
        raise PlaybookError(f"{where}: verdict must be one of {VERDICTS}")
    alternatives: list[Alternative] = []
    for item in spec.get("alternatives") or []:
        if not isinstance(item, dict) or not (
            {"finding", "separating_check"} <= set(item) <= {"finding", "separating_check", "step"}
        ):
            raise PlaybookError(
                f"{where}: alternatives need 'finding' and 'separating_check' (and may name "
                "a 'step')"
            )
        if item["finding"] not in ALL_CODES:
            raise PlaybookError(
                f"{where}: alternative '{item['finding']}' is not a Contract 3 code"
            )
        alternatives.append(
            Alternative(
                item["finding"],
                _text(item["separating_check"], where, "separating_check"),
                _steps(item.get("step"), where),
            )
        )
    return Leaf(
        code=code,
        severity=severity,
        verdict=verdict,
        title=_text(spec.get("title"), where, "title") or base.title,
        meaning=_text(spec.get("meaning"), where, "meaning") or base.meaning,
        checks=_strings(spec["checks"], where, "checks") if "checks" in spec else base.checks,
        remediation=(
            _strings(spec["remediation"], where, "remediation")
            if "remediation" in spec
            else base.remediation
        ),
        alternatives=tuple(alternatives),
    )


def _build(
    books: list[tuple[str, dict[str, Any], dict[str, int]]],
    catalogue: Mapping[str, CatalogueEntry],
    files: tuple[str, ...],
    words: _Words,
) -> PlaybookSet:
    nodes: dict[str, Node] = {}
    roots: list[str] = []
    names: set[str] = set()
    entries: dict[str, str] = {}
    for file, data, lines in books:
        extra = set(data) - {"kind", "name", "description", "root", "entry", "nodes"}
        if extra:
            raise PlaybookError(f"{file}: unknown top-level key(s) {sorted(extra)}")
        name = data.get("name")
        if not isinstance(name, str) or not _ID.match(name) or name in names:
            raise PlaybookError(f"{file}: 'name' must be a unique lower_snake identifier")
        names.add(name)
        raw_nodes = data.get("nodes")
        if not isinstance(raw_nodes, dict) or not raw_nodes:
            raise PlaybookError(f"{file}: 'nodes' must be a non-empty mapping")
        entry = data.get("entry")
        if entry not in raw_nodes:
            raise PlaybookError(f"{file}: 'entry' must name one of its nodes")
        entries[name] = f"{name}.{entry}"
        if data.get("root") is True:
            roots.append(f"{name}.{entry}")
        for node_id, spec in raw_nodes.items():
            qid = f"{name}.{node_id}"
            where = f"{file}:{lines.get(str(node_id), 0)}: node '{qid}'"
            if not isinstance(node_id, str) or not _ID.match(node_id):
                raise PlaybookError(f"{where}: node ids are lower_snake identifiers")
            nodes[qid] = _node(qid, file, lines.get(node_id, 0), spec, where, name, words)
    if len(roots) != 1:
        raise PlaybookError(f"exactly one playbook must have 'root: true' (found {len(roots)})")
    book = PlaybookSet(root=roots[0], nodes=nodes, catalogue=catalogue, files=files)
    _check_graph(book)
    return book


def _node(
    qid: str,
    file: str,
    line: int,
    spec: Any,
    where: str,
    book: str,
    words: _Words,
) -> Node:
    if not isinstance(spec, dict):
        raise PlaybookError(f"{where}: must be a mapping")
    step = _text(spec.get("step"), where, "step")
    if "finding" in spec:
        extra = set(spec) - _LEAF_KEYS
        if extra:
            raise PlaybookError(f"{where}: unknown key(s) for a leaf {sorted(extra)}")
        return Node(
            id=qid,
            file=file,
            line=line,
            step=step,
            says=_text(spec.get("says"), where, "says"),
            leaf=_leaf(spec, where, words.catalogue),
        )
    if True in spec or False in spec:
        raise PlaybookError(f"{where}: YAML reads 'yes:'/'no:' as booleans; use says_yes/says_no")
    extra = set(spec) - _DECISION_KEYS
    if extra:
        raise PlaybookError(f"{where}: unknown key(s) for a decision {sorted(map(str, extra))}")
    for key in ("step", "when", "then", "else"):
        if key not in spec:
            raise PlaybookError(f"{where}: a decision node needs '{key}' (or be a leaf: finding)")
    return Node(
        id=qid,
        file=file,
        line=line,
        step=step,
        when=_condition(spec["when"], where, words),
        then=_qualify(spec["then"], book, where, "then"),
        otherwise=_qualify(spec["else"], book, where, "else"),
        yes=_text(spec.get("says_yes"), where, "says_yes"),
        no=_text(spec.get("says_no"), where, "says_no"),
    )


def _check_graph(book: PlaybookSet) -> None:
    """References resolve, no cycles, every node reachable from the root."""
    for node in book.nodes.values():
        for key, ref in (("then", node.then), ("else", node.otherwise)):
            if ref and ref not in book.nodes:
                raise PlaybookError(f"{node.where}: '{key}' names unknown node '{ref}'")
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done

    def visit(node_id: str, trail: list[str]) -> None:
        if state.get(node_id) == 2:
            return
        if state.get(node_id) == 1:
            cycle = " -> ".join([*trail[trail.index(node_id) :], node_id])
            raise PlaybookError(f"{book.nodes[node_id].where}: cycle {cycle}")
        state[node_id] = 1
        node = book.nodes[node_id]
        for child in (node.then, node.otherwise):
            if child:
                visit(child, [*trail, node_id])
        state[node_id] = 2

    visit(book.root, [])
    unreachable = sorted(set(book.nodes) - set(state))
    if unreachable:
        node = book.nodes[unreachable[0]]
        raise PlaybookError(f"{node.where}: not reachable from the root (also: {unreachable[1:]})")

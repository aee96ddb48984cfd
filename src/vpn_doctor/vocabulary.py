"""The words the data files may use, read from ``playbooks/vocabulary.yaml``.

Why data: which IKE states exist, which of them mean "phase 1 is up", which roles and error
kinds a predicate understands is knowledge about ASA output, not code. Keeping it in one file
gives one list of "phase 1 is up" states (:mod:`vpn_doctor.asa.states` reads it) and lets the
playbook loader reject a typo such as ``MM_WAIT_MSG22`` at load, with its file and line,
instead of a branch that silently never matches.

The file is small and read once per process (cached), on first use.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from vpn_doctor.errors import PlaybookError
from vpn_doctor.resources import playbooks_dir
from vpn_doctor.yaml_lines import error_line, parse_with_lines

#: Lists the file must hold: name -> whether its items are strings (else integers).
_LISTS: Mapping[str, type] = {
    "ike_states": str,
    "phase1_up": str,
    "main_mode_proposal": str,
    "main_mode_key_exchange": str,
    "main_mode_authentication": str,
    "ike_roles": str,
    "ike_versions": int,
    "ipsec_error_kinds": str,
    "finding_phases": str,
}
#: Lists whose items must be states of ``ike_states``.
_STATE_LISTS = (
    "phase1_up",
    "main_mode_proposal",
    "main_mode_key_exchange",
    "main_mode_authentication",
)
#: Vocabularies that live elsewhere (findings.yaml, messages.yaml, the report contract); the
#: playbook loader supplies them. ``parameters`` may name these too.
EXTERNAL = frozenset({"finding_codes", "severities", "strengths", "message_ids"})


@dataclass(frozen=True)
class Vocabulary:
    """The validated contents of ``vocabulary.yaml``."""

    lists: Mapping[str, tuple[str | int, ...]]
    #: predicate parameter name -> vocabulary name (a key of ``lists`` or of EXTERNAL)
    parameters: Mapping[str, str]
    file: str

    @property
    def ike_states(self) -> frozenset[str]:
        return frozenset(str(s) for s in self.lists["ike_states"])

    @property
    def phase1_up(self) -> frozenset[str]:
        return frozenset(str(s) for s in self.lists["phase1_up"])

    @property
    def main_mode_stages(self) -> dict[str, int]:
        """IKEv1 main-mode state -> how far the exchange got (1 proposal, 2 key exchange,
        3 authentication)."""
        names = ("main_mode_proposal", "main_mode_key_exchange", "main_mode_authentication")
        return {str(s): n for n, name in enumerate(names, 1) for s in self.lists[name]}


def vocabulary_file() -> Path:
    return playbooks_dir() / "vocabulary.yaml"


@functools.cache
def vocabulary() -> Vocabulary:
    """The shipped vocabulary, read and validated once."""
    return load_vocabulary(vocabulary_file())


def load_vocabulary(path: Path) -> Vocabulary:
    """Read and validate a vocabulary file; errors are PlaybookError with ``file:line``."""
    try:
        data, lines = parse_with_lines(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PlaybookError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise PlaybookError(f"{path}:{error_line(exc) or 0}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict) or data.get("kind") != "vocabulary":
        raise PlaybookError(f"{path}:1: expected a mapping with 'kind: vocabulary'")
    extra = sorted(set(map(str, data)) - {"kind", "description", "parameters", *_LISTS})
    if extra:
        raise PlaybookError(f"{path}:{lines.get((extra[0],), 0)}: unknown key(s) {extra}")
    lists: dict[str, tuple[Any, ...]] = {}
    for name, item_type in _LISTS.items():
        value = data.get(name)
        if not isinstance(value, list) or not value:
            raise PlaybookError(f"{path}:{lines.get((name,), 0)}: '{name}' must be a list")
        for index, item in enumerate(value):
            if not isinstance(item, item_type) or isinstance(item, bool):
                line = lines.get((name, index), 0)
                raise PlaybookError(f"{path}:{line}: '{name}' item {item!r} is not {item_type}")
        lists[name] = tuple(value)
    for name in _STATE_LISTS:
        not_states = sorted(set(lists[name]) - set(lists["ike_states"]))
        if not_states:
            raise PlaybookError(f"{path}:{lines.get((name,), 0)}: unknown state(s) {not_states}")
    parameters = data.get("parameters")
    if not isinstance(parameters, dict):
        raise PlaybookError(f"{path}:{lines.get(('parameters',), 0)}: 'parameters' must map")
    for param, vocab in parameters.items():
        if vocab not in lists and vocab not in EXTERNAL:
            line = lines.get(("parameters", str(param)), 0)
            known = sorted([*lists, *EXTERNAL])
            raise PlaybookError(f"{path}:{line}: unknown vocabulary {vocab!r}; known: {known}")
    return Vocabulary(
        lists=lists,
        parameters={str(k): str(v) for k, v in parameters.items()},
        file=str(path),
    )

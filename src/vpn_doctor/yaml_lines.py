"""Reading YAML: the one place that parses it, and where things are, so errors name the line.

Every loader that validates YAML once at load (inventory, playbooks, mock scenarios, profiles,
snapshot meta, the knowledge files) goes through :func:`load` or :func:`parse_with_lines`: they
use libyaml's C parser (``yaml.CSafeLoader``, several times faster than the pure-Python one,
which matters for start-up: ``vpn-doctor explain`` reads its data files on every run) and fall
back to ``yaml.SafeLoader`` when PyYAML was built without libyaml. Both are *safe* loaders:
plain data only, never arbitrary Python objects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

KeyPath = tuple[str | int, ...]

try:
    SafeLoader: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = yaml.CSafeLoader
except AttributeError:  # PyYAML without libyaml: same results, only slower
    SafeLoader = yaml.SafeLoader


def load(text: str) -> Any:
    """``yaml.safe_load`` with the fastest safe loader available."""
    return yaml.load(text, Loader=SafeLoader)


def compose(text: str) -> yaml.Node | None:
    """The node tree of ``text`` (marks included), with the fastest safe loader."""
    return yaml.compose(text, Loader=SafeLoader)


def parse_with_lines(
    text: str, on_duplicate: Callable[[str, int], None] | None = None
) -> tuple[Any, dict[KeyPath, int]]:
    """Parse ``text`` once into plain data and the :func:`key_lines` map of its node tree.

    One pass instead of ``safe_load`` plus ``compose``: the shipped data files are loaded at
    every run, so parsing them twice would be paid every time. Raises ``yaml.YAMLError``
    like ``yaml.safe_load`` (see :func:`error_line`).
    """
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()
    return data, key_lines(node, on_duplicate)


def key_lines(
    node: yaml.Node | None, on_duplicate: Callable[[str, int], None] | None = None
) -> dict[KeyPath, int]:
    """The 1-based line of every mapping key and sequence item, by its path from the root.

    ``("hosts", "fw1", "data")`` is a key, ``("tunnels", 0)`` an item. A key repeated in one
    mapping calls ``on_duplicate(key, line)`` (which may raise); without it the later one wins.
    """
    out: dict[KeyPath, int] = {}
    if node is not None:
        _walk(node, (), out, on_duplicate)
    return out


def _walk(
    node: yaml.Node,
    path: KeyPath,
    out: dict[KeyPath, int],
    on_duplicate: Callable[[str, int], None] | None,
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen and on_duplicate is not None:
                on_duplicate(key, line)
            seen.add(key)
            key_path = (*path, key)
            out[key_path] = line
            _walk(value_node, key_path, out, on_duplicate)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            item_path = (*path, index)
            out[item_path] = item.start_mark.line + 1
            _walk(item, item_path, out, on_duplicate)


def error_line(exc: yaml.YAMLError) -> int | None:
    """The 1-based line a YAML syntax error points at, if it says."""
    mark = getattr(exc, "problem_mark", None)
    return None if mark is None else int(mark.line) + 1

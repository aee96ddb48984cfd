"""Where things are in a YAML file, so validation errors can name the line; fast loading.

Every loader that validates YAML once at load (inventory, playbooks, mock scenarios, profiles,
snapshot meta) reports ``file:line``; this is the one place that reads those lines.

:func:`yaml_load` and :func:`yaml_load_with_tree` use libyaml's ``CSafeLoader`` when PyYAML
was built with it (several times faster than the pure-Python loader: the playbooks cost
~0.15 s at every start-up with it missing) and fall back to ``SafeLoader``; so does
:func:`parse_with_lines`. All construct only safe types and parse the text once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

KeyPath = tuple[str | int, ...]


def yaml_load(text: str) -> Any:
    """``yaml.safe_load`` with libyaml's loader when present (see :data:`_Loader`)."""
    return yaml.load(text, Loader=_Loader)  # a safe loader (CSafeLoader / SafeLoader)


def yaml_load_with_tree(text: str) -> tuple[Any, yaml.Node | None]:
    """The data of ``text`` (as ``safe_load`` gives it) and its node tree, parsed once (for
    callers that need :func:`key_lines` with ``on_duplicate``)."""
    loader = _Loader(text)
    try:
        tree = loader.get_single_node()
        return (None if tree is None else loader.construct_document(tree)), tree
    finally:
        loader.dispose()


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


def parse_with_lines(text: str) -> tuple[Any, dict[KeyPath, int]]:
    """Parse ``text`` once into plain data and the :func:`key_lines` map of its node tree.

    One pass (libyaml when available) instead of ``safe_load`` plus ``compose``: the shipped
    data files are loaded at every run, so parsing them twice would be paid every time.
    Raises ``yaml.YAMLError`` (with :func:`error_line`) on a syntax error.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()
    return data, key_lines(node)


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

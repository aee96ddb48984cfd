"""The shared YAML line finder behind every "file:line" load error."""

from __future__ import annotations

import pytest
import yaml

from vpn_doctor.yaml_lines import error_line, key_lines

TEXT = """\
fw1:
  hostname: 192.0.2.1
  data:
    tunnels:
      - peer: 203.0.113.9
      - peer: 203.0.113.10
fw2: {}
"""


def test_every_key_and_item_by_path() -> None:
    lines = key_lines(yaml.compose(TEXT))
    assert lines[("fw1",)] == 1
    assert lines[("fw1", "hostname")] == 2
    assert lines[("fw1", "data", "tunnels")] == 4
    assert lines[("fw1", "data", "tunnels", 1)] == 6
    assert lines[("fw1", "data", "tunnels", 1, "peer")] == 6
    assert lines[("fw2",)] == 7
    assert key_lines(None) == {}


def test_duplicates_are_reported_or_the_later_one_wins() -> None:
    text = "a: 1\nb:\n  c: 1\n  c: 2\n"
    seen: list[tuple[str, int]] = []
    lines = key_lines(yaml.compose(text), on_duplicate=lambda key, line: seen.append((key, line)))
    assert seen == [("c", 4)]
    assert lines[("b", "c")] == 4


def test_error_line() -> None:
    with pytest.raises(yaml.YAMLError) as info:
        yaml.safe_load("a: 1\nb: [unclosed\n")
    assert error_line(info.value) == 3
    assert error_line(yaml.YAMLError("no mark")) is None

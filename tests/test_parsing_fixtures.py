"""Data-driven parser tests: every tests/data/<command>/<case>.raw with a <case>.yml.

Each pair is collected automatically, so a new device output becomes a test by dropping two
files in place. The .yml holds what a careful reader of the .raw expects, with OUR field names:

    status: ok | empty | partial | failed
    command: show crypto ikev2 sa      # optional; default: the directory's command
    warnings: [substring, ...]         # optional; each must occur in some warning
    no_warnings: true                  # optional; the result must carry no warning at all
    records:                           # exactly this many records, in order
      - peer: 203.0.113.9              # only the keys given are compared
        lines: 3                       # an int compares len(lines); a list compares them
        ike: [{...}]                   # nested records compared the same way

`show_version` cases use ``device: {hostname, version, model}`` instead.

Regenerate a draft yml (then READ it against the raw before committing it):
    python tests/test_parsing_fixtures.py tests/data/show_crypto_isakmp_sa/<case>.raw
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import yaml

from vpn_doctor.models import ParseResult, ProxyId
from vpn_doctor.parse.device import (
    parse_ipsec_sa,
    parse_isakmp_sa,
    parse_sessiondb_l2l,
    parse_version,
)

DATA = Path(__file__).parent / "data"

PARSERS: dict[str, tuple[str, Callable[[str, str], ParseResult[Any]]]] = {
    "show_crypto_isakmp_sa": ("show crypto isakmp sa", parse_isakmp_sa),
    "show_crypto_ipsec_sa": ("show crypto ipsec sa", parse_ipsec_sa),
    "show_vpn-sessiondb_detail_l2l": ("show vpn-sessiondb detail l2l", parse_sessiondb_l2l),
}

# Always written by the draft generator, even at their default: a zero here is a finding.
KEY_FIELDS = {
    "IkeSa": ("peer", "ike_version", "state"),
    "IpsecSa": ("peer", "pkts_encaps", "pkts_decaps", "send_errors", "recv_errors"),
    "VpnSession": ("connection",),
    "IkeSubsession": ("session_id",),
    "IpsecSubsession": ("session_id", "bytes_tx", "bytes_rx"),
}


def plain(value: Any) -> Any:
    """Models -> YAML-friendly data (ProxyId as 'addr/mask/prot/port', tuples as lists)."""
    if isinstance(value, ProxyId):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [plain(item) for item in value]
    return value


def assert_subset(expected: Any, actual: Any, where: str) -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected a mapping, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}: no field {key!r}"
            if key == "lines" and isinstance(value, int):
                assert len(actual[key]) == value, f"{where}.lines: {actual[key]!r}"
                continue
            assert_subset(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), f"{where}: {len(actual)} items, want {len(expected)}"
        for i, (want, got) in enumerate(zip(expected, actual, strict=True)):
            assert_subset(want, got, f"{where}[{i}]")
    else:
        assert actual == expected, f"{where}: got {actual!r}, want {expected!r}"


def cases() -> list[Any]:
    found = []
    for raw in sorted(DATA.glob("*/*.raw")):
        directory = raw.parent.name
        if directory not in PARSERS and directory != "show_version":
            continue
        expected = raw.with_suffix(".yml")
        found.append(pytest.param(raw, expected, id=f"{directory}/{raw.stem}"))
    return found


def read_raw(raw: Path) -> str:
    # newline="" keeps CRLF fixtures byte-exact: the parser must cope with them itself.
    with raw.open(encoding="utf-8", newline="") as handle:
        return handle.read()


@pytest.mark.parametrize(("raw", "expected_path"), cases())
def test_fixture(raw: Path, expected_path: Path) -> None:
    assert expected_path.exists(), f"{raw.name} has no {expected_path.name}"
    expected = yaml.safe_load(expected_path.read_text(encoding="utf-8"))
    text = read_raw(raw)
    directory = raw.parent.name

    if directory == "show_version":
        assert_subset(expected["device"], plain(parse_version(text)), "device")
        return

    default_command, parser = PARSERS[directory]
    result = parser(text, expected.get("command", default_command))
    detail = f"warnings: {list(result.warnings)}"
    assert result.status.value == expected["status"], detail
    for fragment in expected.get("warnings", []):
        assert any(fragment in warning for warning in result.warnings), (fragment, detail)
    if expected.get("no_warnings"):
        assert not result.warnings, detail
    assert_subset(expected["records"], plain(list(result.records)), "records")


def test_every_raw_has_a_yml_and_every_yml_a_raw() -> None:
    for directory in [*PARSERS, "show_version"]:
        raws = {p.stem for p in (DATA / directory).glob("*.raw")}
        ymls = {p.stem for p in (DATA / directory).glob("*.yml")}
        assert raws == ymls, f"{directory}: unpaired {sorted(raws ^ ymls)}"


def test_fixture_set_covers_the_brief() -> None:
    """Guard against the fixture set shrinking unnoticed."""
    assert len(list((DATA / "show_crypto_isakmp_sa").glob("*.raw"))) >= 20
    assert len(list((DATA / "show_crypto_ipsec_sa").glob("*.raw"))) >= 12
    assert len(list((DATA / "show_vpn-sessiondb_detail_l2l").glob("*.raw"))) >= 10
    assert len(list((DATA / "show_version").glob("*.raw"))) >= 3


def test_every_fixture_directory_is_collected() -> None:
    """An empty parameter set would skip test_fixture silently: each directory must feed it."""
    collected = {str(case.id).split("/")[0] for case in cases()}
    assert collected == {*PARSERS, "show_version"}
    assert len(cases()) >= 45


def _draft_record(record: Any) -> dict[str, Any]:
    keys = KEY_FIELDS.get(type(record).__name__, ())
    out: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        default = f.default if f.default is not dataclasses.MISSING else None
        if f.name == "lines":
            out["lines"] = len(value)
        elif f.name in ("ike", "ipsec"):
            out[f.name] = [_draft_record(item) for item in value]
        elif f.name in keys or value != default:
            out[f.name] = plain(value)
    return out


def draft(raw: Path) -> str:
    """A starting point for a new fixture's yml; a human checks it against the raw."""
    directory = raw.parent.name
    text = read_raw(raw)
    if directory == "show_version":
        return yaml.safe_dump({"device": plain(parse_version(text))}, sort_keys=False)
    command, parser = PARSERS[directory]
    result = parser(text, command)
    body: dict[str, Any] = {"status": result.status.value}
    if result.warnings:
        # Fragments, not whole messages: the test checks containment, and rewording a
        # message should not mean rewriting every fixture.
        picked = list(result.warnings[:3])
        if len(result.warnings) > 3:
            picked.append(result.warnings[-1])
        body["warnings"] = [warning[:70] for warning in picked]
    else:
        body["no_warnings"] = True
    body["records"] = [_draft_record(record) for record in result.records]
    return yaml.safe_dump(body, sort_keys=False, width=100, allow_unicode=True)


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        path = Path(argument)
        path.with_suffix(".yml").write_text(draft(path), encoding="utf-8")
        print(f"wrote {path.with_suffix('.yml')}")

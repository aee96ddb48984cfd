"""Parsers never raise and never let a failed parse read as "no SA".

The fixture tests (test_parsing_fixtures.py) pin exact results for known outputs; these tests
check properties over *all* fixtures and over outputs mangled the ways captures get mangled in
the field: cut at any line, CRLF, a stray prompt, pager remnants, device errors, junk.
"""

from __future__ import annotations

import random
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from vpn_doctor.models import ParseResult, ParseStatus
from vpn_doctor.parse.device import parse_ipsec_sa, parse_isakmp_sa, parse_sessiondb_l2l

DATA = Path(__file__).parent / "data"
Parser = Callable[[str], ParseResult[Any]]

PARSERS: dict[str, Parser] = {
    "show_crypto_isakmp_sa": parse_isakmp_sa,
    "show_crypto_ipsec_sa": parse_ipsec_sa,
    "show_vpn-sessiondb_detail_l2l": parse_sessiondb_l2l,
}
ALL_PARSERS = pytest.mark.parametrize("parser", list(PARSERS.values()), ids=list(PARSERS))
NONE_MARKERS = ("There are no", "no active sessions")


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def _good_fixtures() -> list[Any]:
    """Fixtures whose parse is OK with records: the inputs for the mangling tests."""
    found = []
    for directory, parser in PARSERS.items():
        for raw in sorted((DATA / directory).glob("*.raw")):
            result = parser(_read(raw))
            if result.status is ParseStatus.OK and result.records:
                found.append(pytest.param(parser, _read(raw), id=f"{directory}/{raw.stem}"))
    return found


GOOD = _good_fixtures()


def test_the_mangling_tests_have_inputs() -> None:
    """The tests below are parametrised over GOOD: an empty list would skip them silently."""
    assert len(GOOD) >= 20
    collected = {str(param.id).split("/")[0] for param in GOOD}
    assert collected == set(PARSERS)


@ALL_PARSERS
@pytest.mark.parametrize("text", ["", " ", "\n\n", "   \n\t\n", "\r\n"], ids=repr)
def test_empty_or_blank_output_is_failed_never_empty(parser: Parser, text: str) -> None:
    result = parser(text)
    assert result.status is ParseStatus.FAILED
    assert not result.usable
    assert any("cannot tell" in warning for warning in result.warnings)


@ALL_PARSERS
@pytest.mark.parametrize(
    "text",
    [
        "ERROR: % Invalid input detected at '^' marker.",
        "show crypto isakmp sa\n        ^\nERROR: % Invalid input detected at '^' marker.\n",
        "% Invalid input detected at '^' marker.",
        "Command authorization failed",
    ],
)
def test_device_error_is_failed_with_the_message(parser: Parser, text: str) -> None:
    result = parser(text)
    assert result.status is ParseStatus.FAILED
    assert any(
        "device error" in w and ("Invalid input" in w or "authorization" in w)
        for w in result.warnings
    )


@ALL_PARSERS
@pytest.mark.parametrize(
    "text",
    [
        "hello world",
        "\x00\x01\x02\xff\xfe binary \x1b[31m junk",
        "interface:\nCrypto map tag:\nIKE Peer:\nConnection\n",
        "1   IKE Peer:\n    Type :\n",
        "#pkts encaps: x, #pkts decaps: -1\n",
        ":" * 5000,
        "\n".join(["    " + "a" * 300] * 300),
    ],
    ids=["words", "binary", "bare-headers", "empty-fields", "bad-counters", "colons", "long"],
)
def test_junk_never_raises_and_is_never_usable_as_none(parser: Parser, text: str) -> None:
    result = parser(text)
    assert result.status is not ParseStatus.EMPTY
    if not result.records:
        assert result.status in (ParseStatus.FAILED, ParseStatus.PARTIAL)
    assert result.warnings


@pytest.mark.parametrize(("parser", "text"), GOOD)
def test_cut_at_any_line_never_raises_nor_reads_empty(parser: Parser, text: str) -> None:
    lines = text.splitlines(keepends=True)
    step = max(1, len(lines) // 200)  # every line of small outputs, 200 cuts of big ones
    for cut in range(0, len(lines), step):
        partial = "".join(lines[:cut])
        result = parser(partial)
        assert isinstance(result, ParseResult)
        assert result.status is not ParseStatus.EMPTY, f"cut at line {cut}"
    # A cut in the middle of a line as well (half a counter, half a peer name).
    for cut in range(1, len(text), max(1, len(text) // 97)):
        result = parser(text[:cut])
        assert result.status is not ParseStatus.EMPTY, f"cut at char {cut}"


@pytest.mark.parametrize(("parser", "text"), GOOD)
def test_crlf_gives_the_same_records(parser: Parser, text: str) -> None:
    unix = parser(text.replace("\r\n", "\n"))
    dos = parser(text.replace("\r\n", "\n").replace("\n", "\r\n"))
    assert dos.status is unix.status
    assert dos.records == unix.records


@pytest.mark.parametrize(("parser", "text"), GOOD)
def test_an_unknown_line_inside_a_block_gives_partial(parser: Parser, text: str) -> None:
    lines = text.replace("\r\n", "\n").split("\n")
    rng = random.Random(len(text))
    for _ in range(5):
        position = rng.randrange(1, len(lines))
        mangled = "\n".join([*lines[:position], "  Flux capacitor : engaged", *lines[position:]])
        result = parser(mangled)
        assert result.status is ParseStatus.PARTIAL, position
        assert any("Flux capacitor" in warning for warning in result.warnings)


@pytest.mark.parametrize(("parser", "text"), GOOD)
def test_pager_remnants_give_partial_not_ok(parser: Parser, text: str) -> None:
    lines = text.replace("\r\n", "\n").split("\n")
    middle = len(lines) // 2
    mangled = "\n".join([*lines[:middle], "<--- More --->", "              ", *lines[middle:]])
    result = parser(mangled)
    assert result.status is ParseStatus.PARTIAL
    assert any("More" in warning for warning in result.warnings)
    assert len(result.records) == len(parser(text).records)


@pytest.mark.parametrize(("parser", "text"), GOOD)
def test_echo_and_trailing_prompt_are_tolerated(parser: Parser, text: str) -> None:
    # Some fixtures carry their own prompt lines: take them out first.
    bare = "\n".join(line for line in text.splitlines() if not re.match(r"^[\w./-]+[#>]", line))
    clean = parser(bare)
    assert clean.status is ParseStatus.OK
    command = clean.command
    wrapped = f"fw-1/ctx# {command}\n{bare.rstrip()}\nfw-1/ctx# \n"
    result = parser(wrapped)
    assert result.status is clean.status
    assert result.records == clean.records


@pytest.mark.parametrize(("parser", "text"), GOOD)
def test_a_prompt_in_the_middle_means_partial(parser: Parser, text: str) -> None:
    lines = text.replace("\r\n", "\n").split("\n")
    middle = len(lines) // 2
    mangled = "\n".join([*lines[:middle], "fw1# show clock", *lines[middle:]])
    assert parser(mangled).status is ParseStatus.PARTIAL


def test_every_empty_fixture_says_so_in_the_device_text() -> None:
    empty = 0
    for directory, parser in PARSERS.items():
        for raw in (DATA / directory).glob("*.raw"):
            text = _read(raw)
            result = parser(text)
            if result.status is ParseStatus.EMPTY:
                empty += 1
                assert not result.records
                assert any(marker in text for marker in NONE_MARKERS), raw.name
    assert empty >= 3  # the rule above was checked on real "no SA" outputs


def test_isakmp_counters_catch_a_cut_between_blocks() -> None:
    text = _read(DATA / "show_crypto_isakmp_sa" / "many_tunnels_9x.raw")
    lines = text.split("\n")
    # Cut exactly after the 10th SA block: every block looks complete, only the counters know.
    first_sa = next(i for i, line in enumerate(lines) if "IKE Peer:" in line)
    result = parse_isakmp_sa("\n".join(lines[: first_sa + 30]))
    assert result.status is ParseStatus.PARTIAL
    assert len(result.records) == 10
    assert any("reports 32" in warning for warning in result.warnings)


def test_incomplete_ipsec_block_is_marked_so_zero_counters_are_not_trusted() -> None:
    text = _read(DATA / "show_crypto_ipsec_sa" / "l2l_9x_one_way_ikev2_pfs14.raw")
    cut = text.split("      #pkts decaps: 90110")[0]
    result = parse_ipsec_sa(cut)
    assert result.status is ParseStatus.PARTIAL
    first, second = result.records
    assert first.complete and first.pkts_decaps == 0  # the real one-way tunnel
    assert not second.complete  # its decaps 0 means "not seen", not "no traffic"


def test_record_lines_are_the_device_lines_of_that_record() -> None:
    text = _read(DATA / "show_crypto_ipsec_sa" / "real_ntc_ra_and_l2l_natt.raw")
    records = parse_ipsec_sa(text).records
    assert records
    for record in records:
        assert "Crypto map tag: " + record.crypto_map in record.lines[0]
        assert any(f"current_peer: {record.peer}" in line for line in record.lines)
        assert all(line in text for line in record.lines)
    text = _read(DATA / "show_vpn-sessiondb_detail_l2l" / "real_ntc_ikev2_natt_gcm.raw")
    sessions = parse_sessiondb_l2l(text).records
    assert sessions and all(session.ipsec for session in sessions)
    for session in sessions:
        assert session.lines[0].strip().startswith("Connection")
        for sub in session.ipsec:
            assert sub.lines[0].strip() == "IPsecOverNatT:"
            assert any(sub.session_id in line for line in sub.lines)


def test_parses_in_threads_do_not_share_state() -> None:
    """A fresh TextFSM object per parse: concurrent parses (fleet health checks) agree."""
    texts = [
        _read(path)
        for path in sorted((DATA / "show_crypto_ipsec_sa").glob("*.raw"))
        if path.stat().st_size
    ]
    expected = [parse_ipsec_sa(text) for text in texts]
    failures: list[str] = []

    def work(seed: int) -> None:
        order = list(range(len(texts)))
        random.Random(seed).shuffle(order)
        for i in order * 3:
            try:
                if parse_ipsec_sa(texts[i]) != expected[i]:
                    failures.append(f"thread {seed}, text {i}")
            except Exception as exc:  # an exception in a thread would not fail the test
                failures.append(f"thread {seed}, text {i}: {exc!r}")

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


def test_pager_prompt_joined_to_the_next_line_keeps_that_line() -> None:
    """Captures that lost the CRs show '<--- More --->' + erase spaces + the next line."""
    text = _read(DATA / "show_crypto_isakmp_sa" / "mixed_ikev1_ikev2_9x.raw")
    joined = text.replace("IKEv2 SAs:", "<--- More --->              IKEv2 SAs:")
    result = parse_isakmp_sa(joined)
    assert result.status is ParseStatus.PARTIAL  # paging was on: say so
    assert result.records == parse_isakmp_sa(text).records

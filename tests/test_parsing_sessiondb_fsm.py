"""The compiled runner of the sessiondb template gives exactly TextFSM's rows.

parsing_sessiondb runs its template through its own runner (one regex per state, rows
yielded as recorded), not ``textfsm.TextFSM.ParseText``: ~5x faster on 5,000 tunnels. The
template stays the grammar, so the two runners must agree row for row, on real outputs and
on outputs mangled the ways captures get mangled (lines lost, repeated, moved, re-indented,
unknown lines, headers of unknown kinds, a second output glued on).
"""

from __future__ import annotations

import dataclasses
import random
import re
from pathlib import Path

import pytest

from vpn_doctor.models import ParseStatus
from vpn_doctor.parse import sessiondb as parsing_sessiondb
from vpn_doctor.parse.sessiondb import TEMPLATE, _compile, _run, parse_sessiondb_l2l
from vpn_doctor.parse.textfsm_runner import prepare, run_template

DATA = Path(__file__).parent / "data"
COMMAND = "show vpn-sessiondb detail l2l"

# Lines that steer the template into every state and rule, on top of the fixtures' own.
EXTRA_LINES = [
    "Foo:",
    "  Bar-1:",
    "Connection:",
    "Connection : x",
    "Connection : ",
    "Session Type:",
    "Session Type: LAN-to-LAN Detailed",
    "INFO: There are presently no active sessions",
    "  NAC:",
    "IKE:",
    "IPsec:",
    "IPSecLAN2LAN:",
    "ikev2:",
    "IKEv2:   ",
    " IPsecOverNatT:",
    "  Flux capacitor : engaged",
    "Protocol : IKEv2",
    "Protocol     : IKEv2 IPsec  Encryption : AES",
    "Encryption : AES  Hashing : SHA",
    "Index : 5   IP Addr : 192.0.2.1",
    "  Tunnel ID : 1.1",
    "  Encapsulation: Tunnel  PFS Group : 14",
    "IKEv1 Tunnels: 1",
    "IPsec Tunnels: 3",
    "  Rekey Int (T): 10 Seconds  Rekey Left(T): 5 Seconds",
    "  PRF : SHA1  D/H Group : 14",
    "  Reval Int (T): 0 Seconds",
    "  x: y",
    "   ",
]


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


def _texts() -> list[str]:
    return [_read(path) for path in sorted(DATA.glob("*/*.raw"))]


def _mangled(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    texts = _texts()
    pool = sorted({line for text in texts for line in text.splitlines()}) + EXTRA_LINES
    out = []
    for _ in range(count):
        lines = rng.choice(texts).splitlines()
        for _ in range(rng.randint(1, 6)):
            pos = rng.randrange(len(lines) + 1)
            op = rng.random()
            if op < 0.3 or not lines:
                lines.insert(pos, rng.choice(pool))
            elif op < 0.5:
                lines.insert(pos, rng.choice(EXTRA_LINES))
            elif op < 0.65:
                del lines[min(pos, len(lines) - 1)]
            elif op < 0.75:
                lines = lines[:pos]
            elif op < 0.85:
                j = min(pos, len(lines) - 1)
                lines[j] = lines[j].strip() if rng.random() < 0.5 else f"  {lines[j]}   "
            else:
                j, k = min(pos, len(lines) - 1), rng.randrange(len(lines))
                lines[j], lines[k] = lines[k], lines[j]
        out.append("\n".join(lines))
    return out


def _both(text: str) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    lines = prepare(text, COMMAND).lines
    return list(_run(_compile(TEMPLATE), lines)), run_template(TEMPLATE, "\n".join(lines))


def test_same_rows_as_textfsm_on_every_fixture() -> None:
    for text in _texts():  # the other commands' fixtures too: junk for this template
        ours, reference = _both(text)
        assert ours == reference


@pytest.mark.parametrize("seed", range(4))
def test_same_rows_as_textfsm_on_mangled_outputs(seed: int) -> None:
    for text in _mangled(seed, 300):
        ours, reference = _both(text)
        assert ours == reference, text


def test_same_rows_on_two_outputs_glued_together() -> None:
    texts = [_read(path) for path in sorted((DATA / "show_vpn-sessiondb_detail_l2l").glob("*"))]
    glued = "\n".join(text for text in texts if text.strip())
    ours, reference = _both(glued)
    assert ours == reference
    assert len(ours) > 20


def test_unsupported_template_features_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Filldown, Clear, Error... are not implemented: refuse instead of parsing differently."""
    (tmp_path / "filldown.textfsm").write_text(
        "Value Filldown A (\\S+)\n\nStart\n  ^${A} -> Record\n", encoding="utf-8"
    )
    (tmp_path / "error.textfsm").write_text(
        "Value A (\\S+)\n\nStart\n  ^${A} -> Record\n  ^. -> Error\n", encoding="utf-8"
    )
    monkeypatch.setattr(parsing_sessiondb, "templates_dir", lambda: tmp_path)
    for name in ("filldown.textfsm", "error.textfsm"):
        with pytest.raises(ValueError, match="unsupported"):
            _compile.__wrapped__(name)


def test_header_regex_drift_keeps_records_without_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """If _HEADER and the template ever disagree, say so and drop the lines, not the records."""
    text = _read(DATA / "show_vpn-sessiondb_detail_l2l" / "aws_ikev2_two_sa_pairs_9x.raw")
    normal = parse_sessiondb_l2l(text)
    assert normal.status is ParseStatus.OK
    monkeypatch.setattr(parsing_sessiondb, "_HEADER", re.compile(r"^\s*Connection\s*:.*$"))
    drifted = parse_sessiondb_l2l(text)
    assert any(warning.startswith("internal: ") for warning in drifted.warnings)
    assert len(drifted.records) == len(normal.records)
    for got, want in zip(drifted.records, normal.records, strict=True):
        assert got.lines == ()
        assert all(sub.lines == () for sub in (*got.ike, *got.ipsec))
        assert dataclasses.replace(got, lines=(), ike=(), ipsec=()) == dataclasses.replace(
            want, lines=(), ike=(), ipsec=()
        )

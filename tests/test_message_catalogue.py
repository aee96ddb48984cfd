"""playbooks/messages.yaml: every entry's sample lines match it, and a broken file fails at load
with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from vpn_doctor.diagnose import messages as D
from vpn_doctor.diagnose.findings import CONTRACT3_CODES
from vpn_doctor.errors import ExitCode, PlaybookError

SAMPLES = [(p.id, sample) for p in D.catalogue() for sample in p.samples]


def test_every_entry_has_a_sample() -> None:
    assert all(p.samples for p in D.catalogue())
    assert len(SAMPLES) >= len(D.catalogue())


@pytest.mark.parametrize(("pattern_id", "line"), SAMPLES)
def test_sample_matches_its_own_entry(pattern_id: str, line: str) -> None:
    pattern = D.pattern_by_id(pattern_id)
    assert pattern.guard in line
    assert pattern.regex.search(line)
    assert pattern_id in [e.pattern.id for e in D.match_line(line)]


@pytest.mark.parametrize(("pattern_id", "line"), SAMPLES)
def test_no_other_entry_claims_the_sample_for_another_code(pattern_id: str, line: str) -> None:
    """A sample line must not also point at a different finding through another entry: the
    engine would then read one device line as two causes."""
    own = D.pattern_by_id(pattern_id).implies
    others = {
        e.pattern.id: e.implies
        for e in D.match_line(line)
        if e.pattern.id != pattern_id and e.implies is not None and e.implies != own
    }
    assert others == {}


def test_shipped_file_is_the_catalogue() -> None:
    assert D.catalogue_file().name == "messages.yaml"
    assert D.load_catalogue() == D.catalogue()
    assert D.catalogue() == D.CATALOGUE
    assert {p.implies for p in D.catalogue()} - {None} <= set(CONTRACT3_CODES)


GOOD = """\
kind: messages
messages:
  - id: GOOD
    regex: 'Rejecting IPSec tunnel: no matching crypto map entry'
    guard: 'Rejecting IPSec tunnel'
    implies: IPSEC_PROXY_MISMATCH
    strength: decisive
    phase: 2
    confidence: V
    title: No crypto map entry matches the peer's proxies
    meaning: The peer proposed proxy identities no crypto ACL mirrors.
    samples:
      - '%ASA-3-713061: Rejecting IPSec tunnel: no matching crypto map entry for remote proxy'
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "messages.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_loads(tmp_path: Path) -> None:
    (pattern,) = D.load_catalogue(_write(tmp_path, GOOD))
    assert pattern.id == "GOOD" and pattern.implies == "IPSEC_PROXY_MISMATCH"
    assert pattern.samples and pattern.regex.search(pattern.samples[0])


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("crypto map entry'\n", "crypto map entry(?P<'\n", 4, "regex does not compile"),
        ("    phase: 2\n", "    phase: 2\n    colour: blue\n", 9, "unknown key(s) ['colour']"),
        ("IPSEC_PROXY_MISMATCH", "IPSEC_PROXY_MISMATCHH", 6, "not a finding code"),
        (
            "    samples:\n      - '%ASA-3-713061: Rejecting IPSec tunnel: no matching crypto map "
            "entry for remote proxy'\n",
            "",
            3,
            "needs 'samples'",
        ),
        ("crypto map entry for remote proxy'", "crypto map for remote proxy'", 13, "sample 1"),
        ("    strength: decisive\n", "    strength: decisive\n    strength: supporting\n", 7, ""),
        ("    title: No crypto", "    titel: No crypto", 10, "unknown key(s) ['titel']"),
        ("    phase: 2\n", "", 3, "missing key(s) ['phase']"),
    ],
)
def test_broken_catalogue_names_file_and_line(
    tmp_path: Path, old: str, new: str, line: int, message: str
) -> None:
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    if message == "":  # a repeated key is not an error in YAML; the last one wins
        (pattern,) = D.load_catalogue(path)
        assert pattern.strength == "supporting"
        with pytest.raises(PlaybookError, match="decisive message must imply"):
            D.load_catalogue(_write(tmp_path, GOOD.replace("IPSEC_PROXY_MISMATCH", "null")))
        return
    with pytest.raises(PlaybookError) as info:
        D.load_catalogue(path)
    text = str(info.value)
    assert message in text
    assert f"{path}:{line}:" in text
    assert info.value.exit_code == ExitCode.BAD_PLAYBOOK


def test_duplicate_id_and_bad_yaml(tmp_path: Path) -> None:
    entry = GOOD.split("messages:\n", 1)[1]
    path = _write(tmp_path, GOOD + entry)
    with pytest.raises(PlaybookError, match=r"messages.yaml:14: duplicate message id 'GOOD'"):
        D.load_catalogue(path)
    with pytest.raises(PlaybookError, match=r"messages.yaml:\d+: invalid YAML"):
        D.load_catalogue(_write(tmp_path, GOOD.replace("    guard:", "   guard:")))
    with pytest.raises(PlaybookError, match="kind: messages"):
        D.load_catalogue(_write(tmp_path, GOOD.replace("kind: messages", "kind: playbook")))


def test_importing_reads_no_file() -> None:
    """The catalogue is read on first use (start-up of `--help` / `explain` stays cheap)."""
    import subprocess
    import sys

    code = "import vpn_doctor.diagnose.messages as m, sys; print(m._compiled.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"

"""Parse throughput: our parsers vs ntc-templates' TextFSM templates on the same bytes.

Why this baseline: ntc-templates is what anyone would reach for (netmiko's
``use_textfsm=True``), and our parsers also run a TextFSM template, plus cleaning, block
segmentation, typed records and completeness checks. The question is what that extra safety
costs. The baseline is the ntc template run through ``textfsm.TextFSM`` directly (template
compiled per call, like ours); ``ntc_templates.parse.parse_output`` would add an index lookup
and dict conversion, i.e. a slower (easier) baseline.

Outputs come from mock_device/render.py (9.x layout) for 100 / 1,000 / 5,000 healthy
tunnels. Timing and memory are measured in separate runs: tracemalloc slows Python code
several-fold, so it must not touch the timed runs.

Run alone: ``python bench/bench_parse.py [--quick]``.
"""

from __future__ import annotations

import io
import sys
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/bench_parse.py`: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    Section,
    Target,
    interleaved,
    median,
    rendered,
    section_main,
    spread,
    table,
)

COMMANDS: dict[str, str] = {
    "show crypto ipsec sa": "cisco_asa_show_crypto_ipsec_sa.textfsm",
    "show vpn-sessiondb detail l2l": "cisco_asa_show_vpn-sessiondb_detail_l2l.textfsm",
}
FULL_SIZES = (100, 1_000, 5_000)
QUICK_SIZES = (100, 1_000)
TARGET_SECONDS_5000 = 2.0
LINEAR_LIMIT = 1.25  # per-tunnel time at the largest size / at 100 tunnels


@cache
def _ntc_template(name: str) -> str:
    import ntc_templates

    return (Path(ntc_templates.__file__).parent / "templates" / name).read_text(encoding="utf-8")


def ntc_parse(command: str, text: str) -> int:
    """Baseline: the ntc-templates template for ``command`` through TextFSM; rows returned."""
    import textfsm

    fsm = textfsm.TextFSM(io.StringIO(_ntc_template(COMMANDS[command])))
    return len(fsm.ParseText(text))


def ours_parse(command: str, text: str) -> int:
    """Ours: the public parser (clean, template, segment, typed records, status)."""
    from vpn_doctor.parse.device import parse_ipsec_sa, parse_sessiondb_l2l

    if command == "show crypto ipsec sa":
        result = parse_ipsec_sa(text)
    else:
        result = parse_sessiondb_l2l(text)
    if result.status.value != "ok":
        raise AssertionError(f"{command}: parse status {result.status}: {result.warnings[:3]}")
    return len(result.records)


def peak_mib(func: Callable[[], object]) -> float:
    """Peak traced allocation (MiB) while ``func`` runs; the input text is not counted."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


@dataclass
class ParseRow:
    command: str
    tunnels: int
    lines: int
    ours_s: list[float]
    ntc_s: list[float]
    ours_records: int
    ntc_rows: int
    ours_mib: float
    ntc_mib: float

    @property
    def ratio(self) -> float:
        """Ours / baseline time (below 1: we are faster)."""
        return median(self.ours_s) / median(self.ntc_s)


def measure_one(command: str, tunnels: int, repeat: int) -> ParseRow:
    text = rendered(tunnels)[command]
    counts: dict[str, int] = {}

    def ours() -> None:
        counts["ours"] = ours_parse(command, text)

    def ntc() -> None:
        counts["ntc"] = ntc_parse(command, text)

    times = interleaved({"ours": ours, "ntc": ntc}, repeat=repeat, warmup=1)
    return ParseRow(
        command=command,
        tunnels=tunnels,
        lines=text.count("\n") + 1,
        ours_s=times["ours"],
        ntc_s=times["ntc"],
        ours_records=counts["ours"],
        ntc_rows=counts["ntc"],
        ours_mib=peak_mib(ours),
        ntc_mib=peak_mib(ntc),
    )


def run(quick: bool = False) -> Section:
    sizes = QUICK_SIZES if quick else FULL_SIZES
    section = Section(
        title="2. Parse throughput (ours vs ntc-templates TextFSM, same text, interleaved)",
        command="python bench/bench_parse.py" + (" --quick" if quick else ""),
    )
    results: list[ParseRow] = []
    for command in COMMANDS:
        for tunnels in sizes:
            repeat = 3 if quick else (5 if tunnels <= 1_000 else 3)
            results.append(measure_one(command, tunnels, repeat))

    rows = []
    for r in results:
        ours_m, ntc_m = median(r.ours_s), median(r.ntc_s)
        rows.append(
            (
                r.command,
                f"{r.tunnels:,}",
                f"{r.lines:,}",
                f"{ours_m:.3f} ({spread(r.ours_s)})",
                f"{ntc_m:.3f} ({spread(r.ntc_s)})",
                f"{r.lines / ours_m:,.0f}",
                f"{r.lines / ntc_m:,.0f}",
                f"{r.ratio:.2f}x",
                f"{ours_m / r.tunnels * 1e6:.0f}",
                f"{r.ours_mib:.1f} / {r.ntc_mib:.1f}",
                f"{r.ours_records:,} / {r.ntc_rows:,}",
            )
        )
    section.tables.append(
        table(
            [
                "command",
                "tunnels",
                "lines",
                "ours s (min-max)",
                "ntc s (min-max)",
                "ours lines/s",
                "ntc lines/s",
                "ours/ntc time",
                "ours us/tunnel",
                "peak MiB ours / ntc",
                "records ours / ntc rows",
            ],
            rows,
        )
    )
    section.notes += [
        "Median of 5 (3 at 5,000 tunnels; 3 with --quick) interleaved runs after one warm-up; "
        "ratio = median ours / median ntc on the same text in the same loop.",
        "Peak MiB: tracemalloc peak during one parse, measured apart from the timed runs; the "
        "input text (~11 MB at 5,000 tunnels) is not included. Ours keeps every device line "
        "of each record (`lines=`, the evidence quoted in findings); ntc keeps only fields.",
        "ntc rows differ from our records for sessiondb: the ntc template emits one flat row "
        "per IKE or IPsec sub-session, ours one typed VpnSession holding its sub-sessions.",
    ]

    largest = max(sizes)
    for command in COMMANDS:
        mine = [r for r in results if r.command == command]
        big = next(r for r in mine if r.tunnels == largest)
        small = next(r for r in mine if r.tunnels == min(sizes))
        section.targets.append(
            Target(
                "parse",
                f"{command}: speed vs ntc ({largest:,} tunnels)",
                "ours/ntc time <= 1.00",
                f"{big.ratio:.2f}x",
                big.ratio <= 1.0,
            )
        )
        growth = (median(big.ours_s) / big.tunnels) / (median(small.ours_s) / small.tunnels)
        ntc_growth = (median(big.ntc_s) / big.tunnels) / (median(small.ntc_s) / small.tunnels)
        section.targets.append(
            Target(
                "parse",
                f"{command}: linear (per-tunnel {largest:,} vs {small.tunnels:,})",
                f"<= {LINEAR_LIMIT:.2f}x",
                f"{growth:.2f}x (ntc {ntc_growth:.2f}x)",
                growth <= LINEAR_LIMIT,
            )
        )
        if largest >= 5_000:
            section.targets.append(
                Target(
                    "parse",
                    f"{command}: 5,000 tunnels",
                    f"< {TARGET_SECONDS_5000:.0f} s",
                    f"{median(big.ours_s):.3f} s",
                    median(big.ours_s) < TARGET_SECONDS_5000,
                )
            )
    return section


def main() -> None:
    section_main(__doc__, run, "100 and 1,000 tunnels only")


if __name__ == "__main__":
    main()

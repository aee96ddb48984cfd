"""Start-up: `vpn-doctor --version`, `--help` and `explain X` against a bare interpreter.

Why this baseline: the cost a user feels for a one-shot command is the whole process, and
most of it is Python's own start (site, the venv's .pth files) which we cannot change. So
each command is timed as a whole process (``subprocess.run``, output discarded), interleaved
in the same loop with ``python -c pass`` from the same interpreter, and the figure is the
ratio of the medians. Targets (issue 11): ``--version`` within 4x of the bare start,
``explain`` within 6x. What keeps them: cli/ modules import only the standard library at the
top and load netmiko, TextFSM, rich and the engine inside the handlers; YAML is read with
libyaml's C loader (tests/test_startup.py checks the imports, untimed).

The commands run the installed ``vpn-doctor`` script next to the interpreter (what a user
types), or ``python -m vpn_doctor.cli`` when there is none.

Run alone: ``python bench/bench_startup.py [--quick] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/bench_startup.py`: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Section, Target, interleaved, median, table, targets_table

FULL_REPEAT = 21
QUICK_REPEAT = 5
TARGETS = {"--version": 4.0, "explain MM_WAIT_MSG6": 6.0}  # x bare `python -c pass`
BARE = "python -c pass"


def vpn_doctor_command() -> list[str]:
    """The `vpn-doctor` console script beside this interpreter, else `python -m`."""
    script = Path(sys.executable).with_name("vpn-doctor")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "vpn_doctor.cli"]


def commands() -> dict[str, list[str]]:
    """What is timed, by label: the bare interpreter first, then the three commands."""
    tool = vpn_doctor_command()
    return {
        BARE: [sys.executable, "-c", "pass"],
        "--version": [*tool, "--version"],
        "--help": [*tool, "--help"],
        "explain MM_WAIT_MSG6": [*tool, "explain", "MM_WAIT_MSG6"],
    }


def run_process(argv: list[str]) -> None:
    """One whole process, output discarded; a failing command would time an error path."""
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)


def _runner(argv: list[str]) -> Callable[[], None]:
    return lambda: run_process(argv)


def _ms(values: list[float]) -> str:
    return f"{median(values) * 1000:.0f} ({min(values) * 1000:.0f}-{max(values) * 1000:.0f})"


def run(quick: bool = False, repeat: int | None = None) -> Section:
    repeat = repeat or (QUICK_REPEAT if quick else FULL_REPEAT)
    argvs = commands()
    times = interleaved(
        {label: _runner(argv) for label, argv in argvs.items()}, repeat=repeat, warmup=2
    )
    bare = median(times[BARE])
    section = Section(
        title="4. Start-up (whole processes vs `python -c pass`, interleaved)",
        command="python bench/bench_startup.py" + (" --quick" if quick else ""),
    )
    rows = []
    for label, argv in argvs.items():
        ratio = median(times[label]) / bare
        shown = " ".join(Path(argv[0]).name if i == 0 else a for i, a in enumerate(argv))
        rows.append(
            (
                label,
                f"`{shown}`",
                _ms(times[label]),
                f"{ratio:.2f}x",
                f"<= {TARGETS[label]:.0f}x" if label in TARGETS else "-",
            )
        )
        if label in TARGETS:
            section.targets.append(
                Target(
                    "startup",
                    f"vpn-doctor {label}",
                    f"<= {TARGETS[label]:.0f}x bare python",
                    f"{ratio:.2f}x ({median(times[label]) * 1000:.0f} ms vs {bare * 1000:.0f} ms)",
                    ratio <= TARGETS[label],
                )
            )
    section.tables.append(
        table(["command", "process", "median ms (min-max)", "x bare", "target"], rows)
    )
    section.notes.append(
        f"median of {repeat} runs each, round-robin with the start rotated, 2 warm-up rounds; "
        "the bare interpreter is the same venv python (site and .pth files included)"
    )
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_REPEAT} runs each")
    parser.add_argument("--repeat", type=int, help=f"runs per command (default {FULL_REPEAT})")
    args = parser.parse_args()
    section = run(quick=args.quick, repeat=args.repeat)
    print(section.markdown())
    print(targets_table(section.targets))


if __name__ == "__main__":
    main()

"""Bounded input: what a very large pasted file costs, and that past the limit it is refused.

Why: issue 12 measured a 200 MB pasted file at 2 GB of memory and 125 s before anything was
said. vpn-doctor now refuses, before reading it, any input larger than
``VPN_DOCTOR_MAX_INPUT_MB`` (default :data:`vpn_doctor.parse.paste.DEFAULT_MAX_INPUT_MB`),
with exit 17 and a message that says how to cut the capture. This benchmark generates
terminal captures (prompts, `show crypto isakmp sa`, `show crypto ipsec sa`, a long
`terminal monitor` syslog stream) of several sizes in a temporary directory and reads each one
with ``vpn-doctor``'s reader in a fresh process, reporting wall time and peak memory (RSS).

    python bench/bench_large_input.py                 # 10, 50, 100 and 200 MB
    python bench/bench_large_input.py --sizes 20 200  # chosen sizes (MB)

Nothing here is asserted: speed lives in bench/, the limit logic is tested in
tests/test_large_input.py with a small configured limit.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_HEAD = """fw1/pri/act# terminal pager 0
fw1/pri/act# show crypto isakmp sa

IKEv1 SAs:

   Active SA: 1
    Rekey SA: 0 (A tunnel will report 1 Active and 1 Rekey SA during rekey)
Total IKE SA: 1

1   IKE Peer: 203.0.113.9
    Type    : L2L             Role    : initiator
    Rekey   : no              State   : MM_WAIT_MSG6

There are no IKEv2 SAs
fw1/pri/act# terminal monitor
"""
_SYSLOG = (
    "Dec 06 2026 21:{m:02d}:{s:02d}: %ASA-7-713236: IP = 203.0.113.{h}, IKE_DECODE RESENDING "
    "Message (msgid=0) with payloads : HDR + ID (5) + HASH (8) + NONE (0) total length : 84\n"
)

# Run in a child process so that the peak RSS is the reader's alone.
_CHILD = """
import json, resource, sys, time
from vpn_doctor.collect.terminal_log import read_terminal_log
from vpn_doctor.errors import VpnDoctorError
start = time.perf_counter()
try:
    snapshot = read_terminal_log(sys.argv[1])
    outcome = f"read: {len(snapshot.outputs)} outputs, {len(snapshot.debug_lines)} debug lines"
except VpnDoctorError as exc:
    outcome = f"exit {exc.exit_code}: {str(exc)[:90]}"
seconds = time.perf_counter() - start
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rss_mb": rss_mb, "outcome": outcome}))
"""


def write_capture(path: Path, megabytes: float) -> int:
    """A terminal capture of about ``megabytes`` MB; returns its size in bytes."""
    target = int(megabytes * 1024 * 1024)
    with path.open("w", encoding="utf-8") as handle:
        handle.write(_HEAD)
        written = len(_HEAD)
        block = "".join(
            _SYSLOG.format(m=i // 60 % 60, s=i % 60, h=i % 250 + 1) for i in range(2000)
        )
        while written < target:
            handle.write(block)
            written += len(block)
        handle.write("fw1/pri/act# terminal no monitor\n")
    return path.stat().st_size


def measure(path: Path, limit_mb: float | None) -> dict[str, object]:
    env = None
    if limit_mb is not None:
        import os

        env = {**os.environ, "VPN_DOCTOR_MAX_INPUT_MB": str(limit_mb)}
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, env=env
    )
    wall = time.perf_counter() - start
    if out.returncode != 0:
        return {"seconds": wall, "rss_mb": 0.0, "outcome": f"crashed: {out.stderr[-200:]}"}
    result: dict[str, object] = json.loads(out.stdout)
    result["wall"] = wall
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[10, 50, 100, 200])
    parser.add_argument(
        "--limit", type=float, default=None, help="VPN_DOCTOR_MAX_INPUT_MB for the runs"
    )
    args = parser.parse_args(argv)
    print("| file MB | read s | process s | peak RSS MB | outcome |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"capture_{size:g}MB.log"
            actual = write_capture(path, size)
            row = measure(path, args.limit)
            print(
                f"| {actual / 1048576:.0f} | {row['seconds']:.2f} | {row.get('wall', 0):.2f} "
                f"| {row['rss_mb']:.0f} | {row['outcome']} |"
            )
            path.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The collection bounds that `vpn-doctor ... --help` prints: debug capture and sampling.

Here, in a module that imports nothing, so that building the command-line parser (every run,
`--version` included) does not load the capture or sampling machinery (and with it the
models) just to print four numbers. The modules that enforce them re-export them.
"""

from __future__ import annotations

MAX_SECONDS = 600  # a debug never runs longer than this on a production firewall
DEFAULT_MAX_LINES = 5000  # ring buffer: the last N debug lines are kept

MIN_INTERVAL = 0.2  # seconds between samples; below this the device spends its time answering us
MAX_SAMPLES = 10_000

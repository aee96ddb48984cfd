"""The bounds of a debug capture that `vpn-doctor diagnose --help` prints.

Here, in a module that imports nothing, so that building the command-line parser (every run,
`--version` included) does not load the capture machinery just to print two numbers.
"""

from __future__ import annotations

MAX_SECONDS = 600  # a debug never runs longer than this on a production firewall
DEFAULT_MAX_LINES = 5000  # ring buffer: the last N debug lines are kept

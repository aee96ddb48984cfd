"""Defaults of the fleet check that `vpn-doctor check --help` prints.

They live here, in a module that imports nothing, so that building the command-line parser
(every `vpn-doctor` run, `--version` included) does not load the inventory loader, YAML or
the diagnosis engine just to print two numbers.
"""

from __future__ import annotations

USERNAME_ENV = "VPN_DOCTOR_USERNAME"  # SSH user for hosts whose inventory entry has none
DEFAULT_REKEY_THRESHOLD = 60  # seconds: an SA closer to expiry than this should have rekeyed

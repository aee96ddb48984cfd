"""`python -m vpn_doctor.cli ...`: the same as the `vpn-doctor` script (tests and bench use it)."""

from __future__ import annotations

import sys

from vpn_doctor.cli import main

if __name__ == "__main__":
    sys.exit(main())

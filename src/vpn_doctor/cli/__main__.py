"""``python -m vpn_doctor.cli``: the same as the ``vpn-doctor`` script (tests drive it
through a pseudo-terminal)."""

import sys

from vpn_doctor.cli import main

sys.exit(main())

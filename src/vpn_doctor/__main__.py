"""``python -m vpn_doctor ...``: the same command line as the ``vpn-doctor`` script (useful
where the script's directory is not on PATH, and for profiling a whole run)."""

import sys

from vpn_doctor.cli import main

sys.exit(main(sys.argv[1:]))

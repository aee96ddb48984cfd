"""`vpn-doctor` command line: a thin dispatcher.

Each sub-command lives in its own ``cli_*.py`` module that exposes ``register(subparsers)``;
this module only builds the parser, runs the chosen handler and turns our exceptions into a
one-line message and a documented exit code (never a traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from vpn_doctor import __version__
from vpn_doctor.cli import check as cli_check
from vpn_doctor.cli import collect as cli_collect
from vpn_doctor.cli import diagnose as cli_diagnose
from vpn_doctor.cli import exporter as cli_exporter
from vpn_doctor.cli import mock as cli_mock
from vpn_doctor.cli import undebug as cli_undebug
from vpn_doctor.cli import watch as cli_watch
from vpn_doctor.collect.signals import Terminated, stop_signals_raise
from vpn_doctor.errors import ExitCode, VpnDoctorError

EPILOG = """\
exit codes:
  0 healthy  1 degraded  2 down  3 could not determine
  10 unreachable  11 authentication failed  12 timeout / session lost
  13 command rejected by device  14 not in enable mode  15 command not allowed (read-only)
  16 debug may still be on (run the printed commands)  17 bad input file  18 bad playbook
  64 usage error  129/130/143 hangup/interrupted/terminated (what was collected is saved)

passwords are never taken from the command line: use --password-env / --password-file, or
answer the prompt.
"""


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on a usage error, which would read as "tunnel down"; use 64."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(ExitCode.USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="vpn-doctor",
        description=(
            "Diagnose site-to-site IPsec tunnels on Cisco ASA firewalls: log in over SSH, run "
            "read-only show commands, walk the IKE/IPsec state machine and say what is wrong, "
            "with the device's own lines as evidence and the config to fix it."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"vpn-doctor {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in (
        cli_collect,
        cli_diagnose,
        cli_watch,
        cli_check,
        cli_exporter,
        cli_mock,
        cli_undebug,
    ):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return ExitCode.USAGE
    try:
        with stop_signals_raise():  # SIGTERM/SIGHUP: save and report what was collected
            code: int = handler(args)
        return code
    except VpnDoctorError as exc:
        print(f"vpn-doctor: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("vpn-doctor: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except Terminated as exc:
        print(f"vpn-doctor: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())

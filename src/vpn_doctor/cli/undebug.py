"""CLI sub-command ``undebug HOST`` (Contract 4): crypto debugging and conditions off, nothing
else, verified with ``show debug``. Heavy imports (netmiko) stay inside the handler so
``vpn-doctor --help`` stays fast."""

from __future__ import annotations

import argparse
from typing import Any

from vpn_doctor.cli.login_options import add_login_options, settings_from_args
from vpn_doctor.errors import ExitCode

UNDEBUG_EPILOG = """\
examples:
  VPN_PW=... vpn-doctor undebug 192.0.2.1 --username netops --password-env VPN_PW

Reads `show debug`; for every crypto debug it lists sends `no debug crypto <facility>`, and
`no debug crypto condition` when a condition is set; then reads `show debug` again. Other
debugs are left alone. Exit 0 when no crypto debug is left (or none was on), 16 when
`show debug` still lists one (the commands to type are printed).
"""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add `undebug` to the top-level parser."""
    parser = subparsers.add_parser(
        "undebug",
        help="turn crypto debugging and debug conditions off on an ASA (nothing else)",
        description=(
            "Log in, read `show debug`, turn off exactly the crypto debugs and the crypto "
            "debug condition it lists, and verify. For DEVICE_DEBUG_LEFT_ON."
        ),
        epilog=UNDEBUG_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("host", metavar="HOST", help="ASA address or name")
    add_login_options(parser)
    parser.set_defaults(handler=run_undebug)


def run_undebug(args: argparse.Namespace) -> int:
    """`vpn-doctor undebug HOST`: 0 verified off, 16 still on."""
    from vpn_doctor.collect.debug.cleanup import manual_instructions
    from vpn_doctor.collect.driver import AsaSession
    from vpn_doctor.collect.undebug import undebug

    settings = settings_from_args(args)
    with AsaSession(settings) as session:
        result = undebug(session, session.debug_at_login)
        hostname = session.hostname
    where = f"{settings.host} ({hostname})" if hostname else settings.host
    if not result.before:
        print(f"{where}: no crypto debug or condition is on; nothing sent")
        return ExitCode.OK
    print(f"{where}: show debug listed:")
    print("".join(f"  {line}\n" for line in result.before), end="")
    print("sent:")
    print("".join(f"  {command}\n" for command in result.sent), end="")
    if result.verified:
        print("show debug now lists no crypto debug or condition")
        return ExitCode.OK
    print("show debug STILL lists:")
    print("".join(f"  {line}\n" for line in result.after), end="")
    print(manual_instructions(settings.host, hostname))
    return ExitCode.DEBUG_LEFT_ON

"""ASA output syntax, written once: prompts, the pager, the device's refusals, versions.

Collection (is the device refusing this command?), the parsers (is this output an error or
a paged capture?) and the pasted-log reader (where does one command's output end?) must
agree on what the ASA prints around an answer; each kept its own regex before, and they had
drifted apart. These are the only copies.
"""

from __future__ import annotations

import re

# ---- pager ----------------------------------------------------------------------------------

#: The pager prompt (``<--- More --->``), plus the up-to-14 spaces the ASA writes to erase it
#: when the capture lost the carriage returns (the next line's text then follows on the same
#: line); ``--More--`` is the IOS-style spelling some pastes carry.
PAGER = re.compile(r"<-+\s*More\s*-+>[ ]{0,14}|--More--")


def is_pager_line(line: str) -> bool:
    """The line is only a pager prompt (nothing of the output on it)."""
    return bool(PAGER.search(line)) and not PAGER.sub("", line).strip()


# ---- the device refusing a command ----------------------------------------------------------

#: A line in which the ASA refuses a command instead of answering it: ``ERROR: % Invalid
#: input detected at '^' marker.``, ``% Incomplete command``, ``% Ambiguous command: "..."``,
#: ``Command authorization failed``; ``% Invalid input`` also after a prompt echo that a paste
#: joined onto the same line. Case-blind: some pastes are upper-cased.
DEVICE_ERROR = re.compile(
    r"^\s*ERROR:"
    r"|^\s*%\s*(?:Invalid input|Incomplete command|Ambiguous command|Unrecognized command"
    r"|Unknown command)"
    r"|% ?Invalid input"
    r"|Command authorization failed",
    re.IGNORECASE,
)
#: The ASA prints its refusal right after the echo: only the first lines of an output are
#: looked at, so a syslog line quoted inside ``show logging`` cannot make a good command
#: look refused.
REFUSAL_LINES = 4


def is_device_error(line: str) -> bool:
    """This line is the device refusing a command (see :data:`DEVICE_ERROR`)."""
    return DEVICE_ERROR.search(line) is not None


def is_refusal(output: str) -> bool:
    """The output of a command is the ASA refusing it rather than answering it."""
    lines = [line for line in output.splitlines() if line.strip()][:REFUSAL_LINES]
    return any(DEVICE_ERROR.search(line) for line in lines)


# ---- prompts --------------------------------------------------------------------------------

#: A hostname as the prompt shows it.
HOSTNAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"
#: What follows the hostname: ``/context`` (multi-context) and/or the failover unit and state
#: (``fw/pri/act``, ``fw/ctx1/sec/stby``, ``fw/act``), an optional mode in parentheses
#: (``(config)``), then ``#`` (privileged) or ``>`` (user mode).
PROMPT_SUFFIX = r"(?:/[A-Za-z0-9._-]+)*(?:\([A-Za-z0-9/_-]+\))?[#>]"


def prompt_line(host: str | None = None) -> re.Pattern[str]:
    """A line starting with a prompt (of ``host``, or of any host), the typed command after
    it in group ``cmd`` (``fw1# show crypto isakmp sa``, ``fw1/ctx(config)# ...``)."""
    name = re.escape(host) if host else f"(?P<host>{HOSTNAME})"
    return re.compile(rf"^{name}{PROMPT_SUFFIX}[ \t]*(?P<cmd>.*)$")


# ---- versions -------------------------------------------------------------------------------

#: Any ``Software Version X`` (also a bare one, as in a copied fragment).
SOFTWARE_VERSION = re.compile(r"Software Version\s+(?P<version>\S+)")
#: The product line of ``show version``, so another product's "Software Version" (FXOS,
#: ASDM) is not taken for the ASA's: ``Cisco Adaptive Security Appliance Software Version
#: 9.12(4)``.
ASA_SOFTWARE_VERSION = re.compile(
    r"(?:Cisco Adaptive Security Appliance|Cisco PIX Security Appliance|"
    r"Cisco Firepower Threat Defense|Cisco ASA)[\w ]*?Software Version\s+(?P<version>\S+)"
)
_MAJOR_MINOR = re.compile(r"(\d+)\.(\d+)")


def major_minor(version: str) -> tuple[int, int] | None:
    """(major, minor) of a version string such as ``9.12(4)``."""
    match = _MAJOR_MINOR.match(version.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None

"""The read-only allowlist: the only gate between vpn-doctor and a production firewall.

Every command is checked here *before* a byte is written to the device, and everything not
explicitly known to be harmless is refused with :class:`~vpn_doctor.errors.CommandNotAllowed`.
The principle is "refuse when unsure": a false refusal costs the engineer a minute, a false
acceptance could drop every tunnel on the box.

Abbreviations are expanded first (the ASA accepts any unique keyword prefix, so ``sh cry isa
sa`` *is* ``show crypto isakmp sa``, and ``cl cry isa sa`` would *be* a clear). The expansion
function :func:`expand_command` is shared with the terminal-log reader so a pasted capture and a
live run store outputs under the same canonical command.

Allowed:
  * ``show ...`` with at most the output filters ``| include|exclude|begin|grep <regex>``;
  * the conditional debug set and its undo: ``debug crypto condition peer <ip>``,
    ``debug crypto isakmp|ikev1|ikev2|ipsec [protocol|platform] [<1-255>]``, ``undebug all``,
    ``no debug all``, ``no debug crypto condition``, ``no debug crypto <same set>``;
  * ``terminal pager <n>``, ``terminal monitor``, ``terminal no monitor`` (not ``terminal
    width``: on the ASA it is a configuration-mode command, and the tool never configures);
  * ``packet-tracer input <ifname> ...`` (simulates a packet; changes nothing);
  * ways in, each in exactly this form (no abbreviation, nothing more): ``changeto context
    <name>`` and ``changeto system`` (multi-context: where the tunnels are), ``system support
    diagnostic-cli`` (FTD: from its ``>`` CLI to the ASA engine's).
"""

from __future__ import annotations

import re

from vpn_doctor.addresses import is_ip
from vpn_doctor.errors import CommandNotAllowed

# A keyword tree: each level maps a keyword to the keywords that may follow it. It is used
# only to expand unique prefixes; an empty dict means "what follows is an argument".
# Dangerous top-level verbs are listed too, so a prefix like "c" stays ambiguous instead of
# silently becoming something allowed, and "cl" expands to "clear" (and is then refused).
_Tree = dict[str, "_Tree"]

_DEBUG_CRYPTO: _Tree = {
    "condition": {"peer": {}, "reset": {}},
    "isakmp": {"timers": {}},
    "ikev1": {},
    "ikev2": {"protocol": {}, "platform": {}},
    "ipsec": {},
    "ca": {},
    "engine": {},
}

_SHOW: _Tree = {
    "version": {},
    "curpriv": {},
    "clock": {},
    "debug": {},
    "logging": {},
    "route": {},
    "interface": {"ip": {"brief": {}}},
    "nat": {"detail": {}},
    "failover": {},
    "access-list": {},
    "conn": {},
    "xlate": {},
    "asp": {"drop": {}},
    "tunnel-group": {},
    "crypto": {
        "isakmp": {"sa": {"detail": {}}, "stats": {}, "policy": {}},
        "ikev1": {"sa": {"detail": {}}, "stats": {}},
        "ikev2": {"sa": {"detail": {}}, "stats": {}},
        "ipsec": {
            "sa": {"peer": {}, "detail": {}, "summary": {}, "map": {}, "entry": {}},
            "stats": {},
            "df-bit": {},
        },
        "map": {},
        "ca": {"certificates": {}, "trustpoints": {}},
        "accelerator": {"statistics": {}},
    },
    "vpn-sessiondb": {
        "detail": {"l2l": {"filter": {"ipaddress": {}, "name": {}}}},
        "l2l": {"filter": {"ipaddress": {}, "name": {}}},
        "summary": {},
        "anyconnect": {},
    },
    "running-config": {
        "crypto": {"map": {}, "ikev1": {}, "ikev2": {}, "ipsec": {}, "isakmp": {}, "ca": {}},
        "tunnel-group": {},
        "group-policy": {},
        "access-list": {},
        "nat": {},
        "object": {},
        "object-group": {},
        "route": {},
        "interface": {},
        "sla": {},
        "names": {},
        "all": {},
    },
}

_TREE: _Tree = {
    "show": _SHOW,
    "debug": {"crypto": _DEBUG_CRYPTO, "menu": {}, "packet": {}},
    "undebug": {"all": {}},
    "no": {"debug": {"all": {}, "crypto": _DEBUG_CRYPTO}},
    "terminal": {"pager": {"lines": {}}, "monitor": {}, "no": {"monitor": {}}, "width": {}},
    # "width" is known only so that "terminal wi" resolves honestly; it is refused.
    "packet-tracer": {"input": {}},
    # Everything below is known only so that prefixes resolve honestly; all are refused.
    "clear": {},
    "copy": {},
    "configure": {},
    "crypto": {},
    "write": {},
    "reload": {},
    "shun": {},
    "shutdown": {},
    "enable": {},
    "disable": {},
    "exit": {},
    "quit": {},
    "logout": {},
    "login": {},
    "ping": {},
    "traceroute": {},
    "delete": {},
    "erase": {},
    "format": {},
    "changeto": {},
    "system": {},
    "more": {},
    "dir": {},
    "capture": {},
    "failover": {},
    "cluster": {},
    "rename": {},
    "mkdir": {},
    "rmdir": {},
    "session": {},
    "ssh": {},
    "telnet": {},
    "test": {},
    "verify": {},
    "vpn-sessiondb": {},
    "cd": {},
    "call-home": {},
}

# Short forms Cisco resolves by priority even though they are not unique prefixes.
_PREFERRED: dict[str, str] = {"sh": "show", "sho": "show"}

_PIPE_FILTERS = ("include", "exclude", "begin", "grep")
# Pipe words that exist on ASA/IOS but write or redirect output: always refused.
_PIPE_KEYWORDS = (*_PIPE_FILTERS, "redirect", "append", "tee", "count", "section")

# Printable ASCII except ';' (command separator on some CLIs) and '?' (context help, which
# would leave half a command in the device's line buffer).
_SAFE_CHARS = re.compile(r"^[\x20-\x7e]*$")
# The ASA's own command-line limit is 512 characters; anything longer is not a command we
# build (and an unbounded line is a way to smuggle text into the device's line buffer).
MAX_COMMAND_LENGTH = 512
_DEBUG_TARGETS = ("isakmp", "ikev1", "ikev2", "ipsec")
# A security context name as the ASA accepts it (letters, digits, - _ .; at most 32).
_CONTEXT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
_WAYS_IN = (("changeto", "system"), ("system", "support", "diagnostic-cli"))


def _way_in(command: str) -> str | None:
    """``changeto context NAME``, ``changeto system``, ``system support diagnostic-cli``,
    typed in full: the normalised form, or None when the command is none of them."""
    words = tuple(command.split())
    if words in _WAYS_IN:
        return " ".join(words)
    if len(words) == 3 and words[:2] == ("changeto", "context") and _CONTEXT_NAME.match(words[2]):
        return " ".join(words)
    return None


def _expand_tokens(tokens: list[str], tree: _Tree) -> list[str]:
    """Expand each token that is a keyword prefix at its level; stop at the first argument."""
    out: list[str] = []
    node: _Tree | None = tree
    for token in tokens:
        if node is None:
            out.append(token)
            continue
        lowered = token.lower()
        match: str | None = None
        if lowered in node:
            match = lowered
        elif node is _TREE and lowered in _PREFERRED:
            match = _PREFERRED[lowered]
        else:
            candidates = [kw for kw in node if kw.startswith(lowered)]
            if len(candidates) == 1:
                match = candidates[0]
        if match is None:
            out.append(token)
            node = None  # an argument: everything after it is kept verbatim
        else:
            out.append(match)
            node = node[match] or None
    return out


class _BadPipe(ValueError):
    """A ``|`` not followed by a filter keyword (internal; turned into CommandNotAllowed)."""


def _pipe_keyword(part: str) -> tuple[str | None, str]:
    """``" inc foo"`` -> ``("include", "foo")``; ``("", ...)``/``None`` when not a filter."""
    word, _, rest = part.strip().partition(" ")
    lowered = word.lower()
    keyword = next((k for k in _PIPE_KEYWORDS if lowered and k.startswith(lowered)), None)
    return keyword, rest.strip()


def _split_pipes(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Split ``cmd | include a|b | begin x`` into the command and (filter, regex) pairs.

    A ``|`` that is not followed by a pipe keyword is part of the previous regex (ASA regexes
    may use alternation), so ``| include crypto|tunnel`` stays one filter. Raises _BadPipe when
    the first ``|`` does not introduce a filter.
    """
    head, *parts = text.split("|")
    filters: list[tuple[str, str]] = []
    for part in parts:
        keyword, rest = _pipe_keyword(part)
        if keyword is not None:
            filters.append((keyword, rest))
        elif filters:
            name, regex = filters[-1]
            filters[-1] = (name, f"{regex}|{part}")
        else:
            raise _BadPipe(text)
    return head.strip(), filters


def expand_command(command: str) -> str:
    """Canonical form of a typed command: whitespace collapsed, keyword prefixes expanded.

    ``sh cry isa sa`` -> ``show crypto isakmp sa``; ``sh run | i tunnel`` ->
    ``show running-config | include tunnel``. Arguments (addresses, names, regexes) are kept
    as typed. Unknown or ambiguous words are left alone (the allowlist then refuses them).
    This never raises; use :func:`check_allowed` to decide whether a command may be sent.
    """
    text = " ".join(command.split())
    try:
        head, filters = _split_pipes(text)
    except _BadPipe:
        head, filters = text, []
    rendered = [" ".join(_expand_tokens(head.split(), _TREE))]
    rendered.extend(f"{name} {regex}".rstrip() for name, regex in filters)
    return " | ".join(rendered)


def _refuse(command: str, why: str) -> CommandNotAllowed:
    return CommandNotAllowed(
        f"refused by the read-only allowlist ({why}); vpn-doctor only sends show commands, "
        "the conditional crypto debug set and terminal settings",
        command=command,
    )


def _is_int_in(text: str, low: int, high: int) -> bool:
    return text.isdigit() and low <= int(text) <= high


def _check_debug_target(original: str, args: list[str]) -> None:
    """``isakmp|ikev1|ikev2|ipsec [protocol|platform] [1-255]``."""
    if not args or args[0] not in _DEBUG_TARGETS:
        raise _refuse(original, "only crypto isakmp/ikev1/ikev2/ipsec debugs are allowed")
    rest = args[1:]
    if rest and args[0] == "ikev2" and rest[0] in ("protocol", "platform"):
        rest = rest[1:]
    if len(rest) > 1 or (rest and not _is_int_in(rest[0], 1, 255)):
        raise _refuse(original, "debug level must be a number from 1 to 255")


def _check_tokens(original: str, tokens: list[str]) -> None:
    verb = tokens[0]
    args = tokens[1:]
    if verb == "show":
        if not args:
            raise _refuse(original, "'show' needs an argument")
        return
    if verb == "packet-tracer":
        if len(args) < 3 or args[0] != "input":
            raise _refuse(original, "packet-tracer must start with 'input <ifname> <protocol>'")
        return
    if verb == "undebug":
        if args != ["all"]:
            raise _refuse(original, "only 'undebug all' is allowed")
        return
    if verb == "terminal":
        if args == ["monitor"] or args == ["no", "monitor"]:
            return
        if len(args) == 2 and args[0] == "pager" and _is_int_in(args[1], 0, 2147483647):
            return
        if args[:2] == ["pager", "lines"] and len(args) == 3 and args[2].isdigit():
            return
        if args[:1] == ["width"]:
            raise _refuse(original, "'terminal width' is a configuration-mode command on the ASA")
        raise _refuse(original, "unsupported terminal setting")
    if verb == "debug":
        if args[:1] != ["crypto"]:
            raise _refuse(original, "only 'debug crypto ...' is allowed")
        crypto = args[1:]
        if crypto[:2] == ["condition", "peer"]:
            if len(crypto) == 3 and is_ip(crypto[2]):
                return
            raise _refuse(original, "'debug crypto condition peer' needs one IP address")
        _check_debug_target(original, crypto)
        return
    if verb == "no":
        if args == ["debug", "all"] or args == ["debug", "crypto", "condition"]:
            return
        if args[:2] == ["debug", "crypto"]:
            if args[2:3] in (["ca"], ["engine"]) and len(args) <= 4:  # undo only (undebug)
                return
            _check_debug_target(original, args[2:])
            return
        raise _refuse(original, "'no' is only allowed to undo debugs")
    raise _refuse(original, f"'{verb}' is not a read-only command")


def _is_tech_support(word: str) -> bool:
    """``tech-support`` or a prefix of it long enough to mean it (``tech``, ``tec``)."""
    lowered = word.lower()
    return len(lowered) >= 3 and "tech-support".startswith(lowered)


def check_allowed(command: str, *, allow_tech_support: bool = False) -> str:
    """Return the normalised command if it is on the read-only allowlist, else raise.

    Raises :class:`CommandNotAllowed` (the command is never sent) for anything that could
    change the device, chain a second command, redirect output (``>``, ``| redirect``,
    ``| append``, ``| tee``), exceed the device's line length, or (unless
    ``allow_tech_support``) run ``show tech-support``, which is heavy on a loaded box.
    """
    if not isinstance(command, str) or not command.strip():
        raise _refuse(repr(command), "empty command")
    if len(command) > MAX_COMMAND_LENGTH:
        raise _refuse(command[:60] + "...", f"longer than {MAX_COMMAND_LENGTH} characters")
    if not _SAFE_CHARS.match(command):
        raise _refuse(command, "control characters, newlines or non-ASCII text")
    if ";" in command:
        raise _refuse(command, "';' could chain a second command")
    if "?" in command:
        raise _refuse(command, "'?' triggers context help on the device")
    way_in = _way_in(command)
    if way_in is not None:
        return way_in
    text = " ".join(command.split())
    try:
        head, filters = _split_pipes(text)
    except _BadPipe:
        raise _refuse(command, "'|' must be followed by include/exclude/begin/grep") from None
    if ">" in head or "<" in head:
        raise _refuse(command, "'>' / '<' could redirect output to or from a file")
    tokens = _expand_tokens(head.split(), _TREE)
    if not tokens:
        raise _refuse(command, "empty command")
    _check_tokens(command, tokens)
    if tokens[0] == "show" and len(tokens) > 1 and _is_tech_support(tokens[1]):
        if not allow_tech_support:
            raise _refuse(command, "'show tech-support' is heavy on a loaded box; not asked for")
        tokens[1] = "tech-support"
    if filters and tokens[0] != "show":
        raise _refuse(command, "output filters are only allowed on show commands")
    rendered = [" ".join(tokens)]
    for name, regex in filters:
        if name not in _PIPE_FILTERS:
            raise _refuse(command, f"'| {name}' is not allowed (only include/exclude/begin/grep)")
        if not regex:
            raise _refuse(command, f"'| {name}' needs a pattern")
        rendered.append(f"{name} {regex}")
    return " | ".join(rendered)

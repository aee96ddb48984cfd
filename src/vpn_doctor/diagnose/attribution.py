"""Which tunnel a debug or syslog line is evidence for.

Why this exists: a line is evidence for the peer it names and for no other. Borrowing a
neighbour's pre-shared-key lines turns a healthy tunnel into a confident IKE_AUTH_FAILED,
the worst kind of answer during an outage. The rules, in order:

1. A line that names peers (``IP = X``, ``Group = X``, ``Remote:X``, ``[From X``, ``from X``,
   ``peer X``, ``IKE Peer: X``, IPv4 or IPv6, or a name from ``show running-config names``)
   belongs to those peers only. Known peers are matched as whole tokens, so a line about
   203.0.113.14 never reads as one about 203.0.113.1 (``show logging | include`` on the ASA
   is a substring filter, so it returns both).
2. IKEv2 debug lines carry an SA handle instead of an address (``IKEv2-PROTO-2: (17): ...``):
   a line with the same handle that names a peer, or a ``Received Packet [From X`` line just
   before the handle's first line, ties the handle, and all its lines, to that peer.
3. A line that names no peer belongs to the peer the capture was conditioned on
   (``debug crypto condition peer X``); without a condition it is *unattributed*: counted and
   reported, never used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from vpn_doctor.addresses import is_ip, normalise_peer

_IPV4 = r"\d{1,3}(?:\.\d{1,3}){3}"
_IPV6 = r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}"
_NAME = r"[A-Za-z][\w.-]*"
_WHERE = (
    r"(?:\bIP\s*=\s*|\bGroup\s*=\s*|\bRemote:\s*|\[From\s+|\bfrom\s+|\bpeer\s+|"
    r"\bIKE Peer:?\s*|current_peer:\s*)"
)
_PEER_AT = re.compile(_WHERE + rf"(?P<addr>{_IPV4}|{_IPV6}|{_NAME})")
_HANDLE = re.compile(r"^\s*(?:\S+\s+)*?IKEv2-[A-Z]+-\d+:\s*\((?P<handle>\d+)\):")
_PACKET_FROM = re.compile(r"Received Packet \[From\s+")
_NEW_MESSAGE = re.compile(r"IKEv2-[A-Z]+-\d+:|%(?:ASA|FTD|PIX)-|\[IKEv[12]")
_TIE_WINDOW = 4  # lines between `Received Packet [From X` and the handle's first line


# Every address- or name-like whole token of a line, in one scan (a line is then looked up
# token by token, not searched once per known peer: 500 tunnels x 5,000 lines stays fast).
_TOKEN = re.compile(rf"(?<![\w.:])(?:{_IPV4}|{_IPV6}|[A-Za-z][\w.-]*[\w])(?![\w:]|\.\d)")
_ADDRESS_TOKEN = re.compile(rf"(?<![\w.:])(?:{_IPV4}|{_IPV6})(?![\w:]|\.\d)")


def names_in(line: str, names: Mapping[str, str]) -> list[str]:
    """The peers ``line`` names in a peer position (addresses normalised, ``names`` resolved).

    A ``Group = X`` that is neither an address nor a configured name (a tunnel-group such as
    DefaultL2LGroup) names no peer.
    """
    found: list[str] = []
    for match in _PEER_AT.finditer(line):
        text = match.group("addr").rstrip(".,:;")
        if match.group(0).startswith("[From") and ":" in text and "." not in text:
            head, _, port = text.rpartition(":")  # `[From 2001:db8::9:500/To`: a port
            if port.isdigit() and is_ip(head):
                text = head
        if is_ip(text):
            found.append(normalise_peer(text))
        elif text in names:
            found.append(names[text])
        else:
            head = text.rsplit(":", 1)[0]  # IPv6 with a port, "[From 2001:db8::9:500"
            if ":" in text and is_ip(head):
                found.append(normalise_peer(head))
    return list(dict.fromkeys(found))


@dataclass
class Attribution:
    """Lines per peer, plus what could not be used and why."""

    lines: dict[str, list[str]] = field(default_factory=dict)
    unattributed: list[str] = field(default_factory=list)  # name no peer, no condition
    other_peers: list[str] = field(default_factory=list)  # name peers not diagnosed here

    def targets(self, line: str) -> list[str]:
        """The peers ``line`` was given to."""
        return self._by_line.get(line, [])

    _by_line: dict[str, list[str]] = field(default_factory=dict, repr=False)


def attribute(
    lines: Sequence[str],
    peers: Iterable[str],
    *,
    condition: str | None = None,
    names: Mapping[str, str] | None = None,
    known: Iterable[str] = (),
) -> Attribution:
    """Give each line to the peer(s) it is evidence for (rules in the module docstring).

    ``peers`` are the tunnels being diagnosed; ``known`` every peer the device shows (so a
    line naming a known peer that is not diagnosed is recognised as someone else's);
    ``names`` maps ``name`` -> address (``show running-config names`` and SPI aliases);
    ``condition`` is the peer a debug capture was conditioned on.
    """
    names = dict(names or {})
    wanted = list(dict.fromkeys(peers))
    result = Attribution(lines={p: [] for p in wanted})
    spelling: dict[str, str] = {p: p for p in dict.fromkeys([*wanted, *known])}
    spelling.update((n, addr) for n, addr in names.items() if addr in spelling)
    tokens = _ADDRESS_TOKEN if all(is_ip(k) for k in spelling) else _TOKEN

    named: list[list[str]] = []
    for line in lines:
        found = names_in(line, names)
        for token in tokens.findall(line):
            peer = spelling.get(token) or (
                spelling.get(normalise_peer(token)) if ":" in token else None
            )
            if peer is not None and peer not in found:
                found.append(peer)
        named.append(found)
    handles = _handle_owners(lines, named)

    previous: list[str] | None = None  # targets of the last IKEv2 handle line, for continuations
    for line, found in zip(lines, named, strict=True):
        handle = _HANDLE.match(line)
        if not found and handle:
            owner = handles.get(handle.group("handle"))
            found = [owner] if owner else []
        elif not found and previous is not None and not _NEW_MESSAGE.search(line):
            # `Proposal 1: AES-CBC-256 ...` printed under `(17): Received Policies:`
            for target in previous:
                result.lines[target].append(line)
            result._by_line[line] = list(previous)
            continue
        if found:
            targets = [p for p in found if p in result.lines]
            if not targets:
                result.other_peers.append(line)
        elif condition is not None and condition in result.lines:
            targets = [condition]
        else:
            targets = []
            if condition is None:
                result.unattributed.append(line)
        for target in targets:
            result.lines[target].append(line)
        result._by_line[line] = targets
        previous = targets if handle else None
    return result


def _handle_owners(lines: Sequence[str], named: Sequence[list[str]]) -> dict[str, str]:
    """IKEv2 SA handle -> peer, from handle lines naming one peer or a preceding packet line."""
    owners: dict[str, str] = {}
    pending: tuple[str, int] | None = None  # (peer, index) of the last `Received Packet [From`
    for index, (line, found) in enumerate(zip(lines, named, strict=True)):
        handle = _HANDLE.match(line)
        if handle is None:
            if _PACKET_FROM.search(line) and len(found) == 1:
                pending = (found[0], index)
            continue
        key = handle.group("handle")
        if len(found) == 1:
            owners.setdefault(key, found[0])
        elif key not in owners and pending and index - pending[1] <= _TIE_WINDOW:
            owners[key] = pending[0]
        pending = None
    return owners

"""One diagnosis' index from peer to its SA and session records.

Why: a hub firewall has thousands of tunnels, and asking "which records belong to this peer"
by scanning every record for every peer made a diagnosis quadratic (1,000 tunnels: 36 s,
5,000: 16 min). The index is built once per call of :func:`~vpn_doctor.diagnose.engine.
diagnose` (or per fleet evaluation) from that call's state and handed down; it is never a
module-level cache, so the fleet's worker threads, each diagnosing its own device, share
nothing. Lookups return the records in the order of the outputs, as the scans did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from vpn_doctor.addresses import normalise_peer
from vpn_doctor.models import DeviceState, IkeSa, IpsecSa, VpnSession

T = TypeVar("T")


def session_peer(session: VpnSession) -> str:
    """The peer a vpn-sessiondb session belongs to (its address, else its connection name)."""
    return session.ip_addr or session.connection


@dataclass
class _Grouped(Generic[T]):
    """Records of one kind grouped by normalised peer, each with its position in the output."""

    by_peer: dict[str, list[tuple[int, T]]] = field(default_factory=dict)

    def add(self, key: str, position: int, record: T) -> None:
        self.by_peer.setdefault(key, []).append((position, record))

    def get(self, peers: Iterable[str]) -> list[T]:
        found = [item for peer in dict.fromkeys(peers) for item in self.by_peer.get(peer, ())]
        if len(found) > 1:
            found.sort(key=lambda item: item[0])  # several names: back to output order
        return [record for _, record in found]


class PeerIndex:
    """IKE SAs, IPsec SAs and sessions of a :class:`DeviceState`, by normalised peer."""

    def __init__(self, state: DeviceState) -> None:
        self._ike: _Grouped[IkeSa] = _Grouped()
        self._ipsec: _Grouped[IpsecSa] = _Grouped()
        self._sessions: _Grouped[VpnSession] = _Grouped()
        for i, sa in enumerate(state.ike_sas.records):
            self._ike.add(normalise_peer(sa.peer), i, sa)
        for i, ipsec in enumerate(state.ipsec_sas.records):
            self._ipsec.add(normalise_peer(ipsec.peer), i, ipsec)
        for i, session in enumerate(state.sessions.records):
            self._sessions.add(normalise_peer(session_peer(session)), i, session)

    def records(self, *peers: str) -> tuple[list[IkeSa], list[IpsecSa], list[VpnSession]]:
        """The records whose normalised peer is one of ``peers`` (compared as given), in
        output order: what ``[r for r in records if normalise_peer(r.peer) in peers]`` gives."""
        return self._ike.get(peers), self._ipsec.get(peers), self._sessions.get(peers)

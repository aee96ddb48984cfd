"""Raw samples (polls over time) -> :class:`~vpn_doctor.models.TunnelSample` per peer.

Each poll's outputs are parsed like any other output, then split per peer (a poll of one
peer holds one tunnel; a box-wide poll holds every tunnel). The status of the whole output
is kept on every peer's sample, so a cut ``show crypto isakmp sa`` in one poll is "unread"
on the timeline, never "phase 1 gone"; and a peer seen in some polls but absent from a
readable poll is recorded absent there (that is how a teardown shows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from vpn_doctor.addresses import normalise_peer
from vpn_doctor.asa.commands import SHOW_IPSEC_SA, SHOW_ISAKMP_SA, sample_commands
from vpn_doctor.models import (
    IkeSa,
    IpsecSa,
    ParseResult,
    ParseStatus,
    RawSample,
    TunnelSample,
)
from vpn_doctor.parse.ipsec import parse_ipsec_sa
from vpn_doctor.parse.isakmp import parse_isakmp_sa


def _parsed(sample: RawSample) -> tuple[ParseResult[IkeSa], ParseResult[IpsecSa]]:
    isakmp, ipsec = sample_commands(sample.peer)
    ike = (
        parse_isakmp_sa(sample.outputs[isakmp], SHOW_ISAKMP_SA)
        if isakmp in sample.outputs
        else ParseResult[IkeSa](SHOW_ISAKMP_SA, ParseStatus.MISSING)
    )
    sas = (
        parse_ipsec_sa(sample.outputs[ipsec], ipsec)
        if ipsec in sample.outputs
        else ParseResult[IpsecSa](SHOW_IPSEC_SA, ParseStatus.MISSING)
    )
    return ike, sas


def parse_samples(samples: Sequence[RawSample]) -> tuple[TunnelSample, ...]:
    """Every peer's samples, in poll order."""
    parsed = [(sample, *_parsed(sample)) for sample in samples]
    peers: dict[str, None] = {}
    for sample, ike, sas in parsed:
        if sample.peer:
            peers[normalise_peer(sample.peer)] = None
        else:
            peers.update(dict.fromkeys(normalise_peer(sa.peer) for sa in ike.records))
            peers.update(dict.fromkeys(normalise_peer(sa.peer) for sa in sas.records))
    out: list[TunnelSample] = []
    for sample, ike, sas in parsed:
        wanted = [normalise_peer(sample.peer)] if sample.peer else list(peers)
        for peer in wanted:
            out.append(
                TunnelSample(
                    peer=peer,
                    at=sample.at,
                    taken_at=sample.taken_at,
                    ike=replace(ike, records=_of(ike.records, peer)),
                    ipsec=replace(sas, records=_of(sas.records, peer)),
                )
            )
    return tuple(out)


def _of(records: Sequence[IkeSa] | Sequence[IpsecSa], peer: str) -> tuple[Any, ...]:
    return tuple(record for record in records if normalise_peer(record.peer) == peer)

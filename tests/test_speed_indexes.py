"""The look-ups that keep diagnosis linear on hub firewalls give what the scans gave.

Speed itself is measured in bench/ (bench_snapshot.py); these tests pin behaviour: the same
records, in the same order, for the peer index, the CryptoConfig indexes, the address
memoisation, the garbage-collector pause, check's default workers.
"""

from __future__ import annotations

import gc
import threading

from vpn_doctor.addresses import is_ip, normalise_peer
from vpn_doctor.config_models import AccessListEntry, CryptoConfig, CryptoMapEntry, TunnelGroup
from vpn_doctor.diagnose.peer_index import PeerIndex
from vpn_doctor.gc_pause import gc_paused
from vpn_doctor.models import (
    DeviceInfo,
    DeviceState,
    IkeSa,
    IpsecSa,
    ParseResult,
    ParseStatus,
    VpnSession,
)


def _state() -> DeviceState:
    ike = (
        IkeSa(peer="203.0.113.9", ike_version=1, state="MM_ACTIVE"),
        IkeSa(peer="198.51.100.2/500", ike_version=2, state="READY"),
        IkeSa(peer="203.0.113.09x", ike_version=1, state="MM_WAIT_MSG2"),  # a name
        IkeSa(peer="198.51.100.2", ike_version=1, state="MM_ACTIVE"),
    )
    ipsec = (
        IpsecSa(interface="outside", crypto_map="m", seq=1, peer="hq"),
        IpsecSa(interface="outside", crypto_map="m", seq=2, peer="203.0.113.9"),
        IpsecSa(interface="outside", crypto_map="m", seq=3, peer="hq"),
    )
    sessions = (
        VpnSession(connection="hq"),
        VpnSession(connection="203.0.113.9", ip_addr="198.51.100.2"),
    )
    return DeviceState(
        device=DeviceInfo(hostname="fw"),
        ike_sas=ParseResult("ike", ParseStatus.OK, ike),
        ipsec_sas=ParseResult("ipsec", ParseStatus.OK, ipsec),
        sessions=ParseResult("sessions", ParseStatus.OK, sessions),
    )


def _scan(state: DeviceState, names: set[str]) -> tuple[list[object], ...]:
    """The scans the index replaced (engine._for_peer / expectations._records)."""
    return (
        [sa for sa in state.ike_sas.records if normalise_peer(sa.peer) in names],
        [sa for sa in state.ipsec_sas.records if normalise_peer(sa.peer) in names],
        [s for s in state.sessions.records if normalise_peer(s.ip_addr or s.connection) in names],
    )


def test_peer_index_gives_what_the_scans_gave_in_output_order() -> None:
    state = _state()
    index = PeerIndex(state)
    for names in (
        {"203.0.113.9"},
        {"198.51.100.2"},
        {"hq"},
        {"hq", "203.0.113.9"},  # several names: records interleave back in output order
        {"203.0.113.09x", "198.51.100.2", "hq"},
        {"192.0.2.1"},
    ):
        assert index.records(*sorted(names)) == _scan(state, names), names
    _ike, ipsec, sessions = index.records("hq", "203.0.113.9")
    assert [sa.seq for sa in ipsec] == [1, 2, 3]
    assert [s.connection for s in sessions] == ["hq"]


def test_address_memoisation_keeps_results() -> None:
    assert normalise_peer(" 203.0.113.9/500 ") == "203.0.113.9"
    assert normalise_peer("2001:db8:0::1/500") == "2001:db8::1"
    assert normalise_peer("hq-fw") == "hq-fw"
    assert is_ip("203.0.113.9") and not is_ip("203.0.113.9/32") and not is_ip("hq")
    assert normalise_peer.cache_info().maxsize and is_ip.cache_info().maxsize  # bounded


def _config() -> CryptoConfig:
    def ace(acl: str, line: int, expanded: bool = False) -> AccessListEntry:
        return AccessListEntry(acl=acl, action="permit", line=line, expanded=expanded)

    maps = (
        CryptoMapEntry("m", 10, "a10", ("203.0.113.9",)),
        CryptoMapEntry("m", 20, "a20", ("198.51.100.2", "203.0.113.9", "198.51.100.2")),
        CryptoMapEntry("dyn", 30, "a30", ()),
    )
    return CryptoConfig(
        crypto_maps=maps,
        access_lists=(ace("a10", 1), ace("a20", 1), ace("a10", 2)),
        access_list_hits=(ace("a30", 1), ace("a30", 1, expanded=True), ace("a10", 1)),
        tunnel_groups=(TunnelGroup("203.0.113.9", "ipsec-l2l"), TunnelGroup("203.0.113.9", "x")),
    )


def test_crypto_config_lookups_match_the_scans() -> None:
    config = _config()
    for peer in ("203.0.113.9", "198.51.100.2", "192.0.2.1"):
        assert config.entries_for_peer(peer) == tuple(
            e for e in config.crypto_maps if peer in e.peers
        )
    assert [e.seq for e in config.entries_for_peer("198.51.100.2")] == [20]  # listed once
    for name in ("a10", "a20", "a30", "nope", None):
        configured = tuple(a for a in config.access_lists if a.acl == name)
        unexpanded = tuple(a for a in config.access_list_hits if a.acl == name and not a.expanded)
        assert config.acl(name) == (configured or unexpanded)  # type: ignore[arg-type]
        assert config.acl_hits(name) == tuple(  # type: ignore[arg-type]
            a for a in config.access_list_hits if a.acl == name
        )
    group = config.tunnel_group("203.0.113.9")
    assert group is not None and group.type == "ipsec-l2l"  # the first, as next() gave
    assert config.tunnel_group("192.0.2.1") is None
    assert config == _config()  # the cached indexes are not part of equality


def test_gc_pause_nests_across_threads_and_restores_the_state() -> None:
    assert gc.isenabled()
    entered = threading.Event()
    release = threading.Event()

    def worker() -> None:
        with gc_paused():
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=worker)
    thread.start()
    entered.wait(10)
    with gc_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the worker is still parsing
    release.set()
    thread.join(10)
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a caller who disabled it keeps it disabled
    finally:
        gc.enable()


def test_default_workers_adapt_to_inventory_and_cores() -> None:
    from vpn_doctor.cli.check import MAX_DEFAULT_WORKERS, default_workers

    assert default_workers(5, cores=2) == 5  # one per host
    assert default_workers(1_000, cores=2) == 32  # at most 16 per core
    assert default_workers(1_000, cores=64) == MAX_DEFAULT_WORKERS  # and an absolute cap
    assert default_workers(0, cores=2) == 1

"""Render the ASA's configuration outputs from its :class:`Endpoint` (9.x syntax).

Why generate them: a config-aware diagnosis compares what the SAs show with what is
configured; both must come from the same model or the mock lies. The syntax follows the
real samples under tests/data/config (AWS's sample configuration S27, ASA 9.x running
configs) so :func:`vpn_doctor.parse.config.sections.parse_crypto_config` reads every line without
a warning (tests/test_negotiation_config.py holds us to that). Keys are always masked
(``*****``), as the ASA prints them in ``show running-config``.
"""

from __future__ import annotations

import ipaddress

from mock_device.negotiation.config import Endpoint, ModelSpec, P1Policy

_V2_ENC = {"aes": "aes", "aes-192": "aes-192", "aes-256": "aes-256", "3des": "3des"}
_V2_INTEGRITY = {"sha": "sha", "sha256": "sha256", "md5": "md5", "sha384": "sha384"}
_ESP_V2_ENC = {"esp-aes": "aes", "esp-aes-192": "aes-192", "esp-aes-256": "aes-256",
               "esp-3des": "3des", "esp-des": "des"}  # fmt: skip
_ESP_V2_INT = {"esp-sha-hmac": "sha-1", "esp-sha-256-hmac": "sha-256",
               "esp-md5-hmac": "md5", "esp-sha-384-hmac": "sha-384"}  # fmt: skip


def acl_address(net: str) -> str:
    """`10.1.1.0/24` -> `10.1.1.0 255.255.255.0`; host -> `host A`; any -> `any4`."""
    if net.lower() in ("any", "any4", "0.0.0.0/0"):
        return "any4"
    parsed = ipaddress.IPv4Network(net if "/" in net else f"{net}/32", strict=False)
    if parsed.prefixlen == 32:
        return f"host {parsed.network_address}"
    return f"{parsed.network_address} {parsed.netmask}"


def transform_name(transform: str) -> str:
    """A stable transform-set name from its algorithms (`esp-aes esp-sha-hmac` -> ...)."""
    return "ESP-" + "-".join(w.removeprefix("esp-").removesuffix("-hmac").upper()
                             for w in transform.split())  # fmt: skip


def proposal_name(transform: str) -> str:
    return "PROP-" + transform_name(transform).removeprefix("ESP-")


def crypto_map(asa: Endpoint, peer: Endpoint) -> str:
    """`show running-config crypto map`."""
    prefix = f"crypto map {asa.crypto_map} {asa.seq}"
    peers = " ".join(p for p in (peer.address, asa.standby_peer) if p)
    lines = [f"{prefix} match address {asa.acl_label}"]
    if asa.pfs is not None:
        lines.append(f"{prefix} set pfs group{asa.pfs}")
    lines.append(f"{prefix} set peer {peers}")
    if 1 in asa.ike:
        lines.append(f"{prefix} set ikev1 transform-set {transform_name(asa.transform)}")
    if 2 in asa.ike:
        lines.append(f"{prefix} set ikev2 ipsec-proposal {proposal_name(asa.transform)}")
    if asa.mode == "aggressive":
        lines.append(f"{prefix} set ikev1 phase1-mode aggressive")
    lines.append(f"{prefix} set security-association lifetime seconds {asa.ipsec_lifetime}")
    if asa.crypto_map_bound:
        lines.append(f"crypto map {asa.crypto_map} interface {asa.interface}")
    return "\n".join(lines) + "\n"


def _ikev1_policy(priority: int, policy: P1Policy) -> list[str]:
    return [
        f"crypto ikev1 policy {priority}",
        " authentication pre-share",
        f" encryption {policy.encryption}",
        f" hash {policy.hash}",
        f" group {policy.group}",
        f" lifetime {policy.lifetime}",
    ]


def crypto_ikev1(asa: Endpoint) -> str:
    """`show running-config crypto ikev1`: the enable line and the one policy."""
    lines = [f"crypto ikev1 enable {asa.interface}", *_ikev1_policy(10, asa.p1)]
    return "\n".join(lines) + "\n"


def crypto_ikev2(asa: Endpoint) -> str:
    """`show running-config crypto ikev2`: a policy when the map uses IKEv2; always enabled
    (so a peer's IKE_SA_INIT reaches the ASA and is logged, 750002)."""
    lines: list[str] = []
    if 2 in asa.ike:
        p = asa.p1
        lines += [
            "crypto ikev2 policy 10",
            f" encryption {_V2_ENC.get(p.encryption, p.encryption)}",
            f" integrity {_V2_INTEGRITY.get(p.hash, p.hash)}",
            f" group {p.group}",
            f" prf {_V2_INTEGRITY.get(p.hash, p.hash)}",
            f" lifetime seconds {p.lifetime}",
        ]
    lines.append(f"crypto ikev2 enable {asa.interface}")
    return "\n".join(lines) + "\n"


def crypto_ipsec(asa: Endpoint) -> str:
    """`show running-config crypto ipsec`: the transform set and/or IKEv2 proposal."""
    lines: list[str] = []
    if 1 in asa.ike:
        lines.append(
            f"crypto ipsec ikev1 transform-set {transform_name(asa.transform)} {asa.transform}"
        )
    if 2 in asa.ike:
        enc, integ = [*asa.transform.split(), "", ""][:2]
        lines += [
            f"crypto ipsec ikev2 ipsec-proposal {proposal_name(asa.transform)}",
            f" protocol esp encryption {_ESP_V2_ENC.get(enc, enc)}",
            f" protocol esp integrity {_ESP_V2_INT.get(integ, integ)}",
        ]
    lines.append("crypto ipsec security-association pmtu-aging infinite")
    return "\n".join(lines) + "\n"


def tunnel_groups(asa: Endpoint, peer: Endpoint) -> str:
    """`show running-config tunnel-group`: one L2L group per peer address, keys masked."""
    out: list[str] = []
    for address in (a for a in (peer.address, asa.standby_peer) if a):
        out += [f"tunnel-group {address} type ipsec-l2l",
                f"tunnel-group {address} ipsec-attributes"]  # fmt: skip
        if 1 in asa.ike:
            out.append(" ikev1 pre-shared-key *****")
        if 2 in asa.ike:
            out += [" ikev2 remote-authentication pre-shared-key *****",
                    " ikev2 local-authentication pre-shared-key *****"]  # fmt: skip
        if asa.keepalive:
            out.append(" isakmp keepalive threshold 10 retry 10")
    return "\n".join(out) + "\n"


def access_lists(asa: Endpoint, name: str | None = None) -> str:
    """`show running-config access-list [NAME]`: the crypto ACL (and an interface ACL)."""
    crypto = [
        f"access-list {asa.acl_label} extended permit ip {acl_address(s)} {acl_address(d)}"
        for s, d in asa.acl_lines
    ]
    other = ["access-list outside_access_in extended permit icmp any4 any4 echo-reply"]
    if name == asa.acl_label:
        return "\n".join(crypto) + "\n"
    if name is not None:
        return ""
    return "\n".join([*crypto, *other]) + "\n"


def _obj(net: str) -> str:
    return "obj-" + net.split("/")[0]


def running_nat(asa: Endpoint) -> str:
    """`show running-config nat`: the identity NAT (exemption) first, then interface PAT."""
    lines: list[str] = []
    if asa.nat_exemption:
        for local in asa.local_nets:
            for remote in asa.remote_nets:
                lines.append(
                    f"nat (inside,{asa.interface}) source static {_obj(local)} {_obj(local)} "
                    f"destination static {_obj(remote)} {_obj(remote)} no-proxy-arp route-lookup"
                )
    lines += ["object network obj-any", f" nat (inside,{asa.interface}) dynamic interface"]
    return "\n".join(lines) + "\n"


def show_nat(asa: Endpoint, encaps: int, decaps: int) -> str:
    """`show nat`: the same rules with hit counters (exemption hits follow the traffic)."""
    out: list[str] = []
    if asa.nat_exemption:
        out += ["", "Manual NAT Policies (Section 1)"]
        n = 0
        for local in asa.local_nets:
            for remote in asa.remote_nets:
                n += 1
                out.append(
                    f"{n} (inside) to ({asa.interface}) source static {_obj(local)} "
                    f"{_obj(local)} destination static {_obj(remote)} {_obj(remote)} "
                    "no-proxy-arp route-lookup"
                )
                out.append(f"    translate_hits = {encaps}, untranslate_hits = {decaps}")
    pat_hits = 48213 + (encaps if not asa.nat_exemption else 0)
    out += ["", "Auto NAT Policies (Section 2)",
            f"1 (inside) to ({asa.interface}) source dynamic obj-any interface",
            f"    translate_hits = {pat_hits}, untranslate_hits = 311"]  # fmt: skip
    return "\n".join(out) + "\n"


_ROUTE_CODES = """Codes: L - local, C - connected, S - static, R - RIP, M - mobile, B - BGP
       D - EIGRP, EX - EIGRP external, O - OSPF, IA - OSPF inter area
       N1 - OSPF NSSA external type 1, N2 - OSPF NSSA external type 2
       E1 - OSPF external type 1, E2 - OSPF external type 2, V - VPN
       i - IS-IS, su - IS-IS summary, L1 - IS-IS level-1, L2 - IS-IS level-2
       ia - IS-IS inter area, * - candidate default, U - per-user static route
       o - ODR, P - periodic downloaded static route, + - replicated route
       SI - Static InterVRF"""


def _inside_net(asa: Endpoint) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(asa.local_nets[0], strict=False)


def show_route(asa: Endpoint) -> str:
    """`show route`: default via the outside next hop, the connected networks."""
    inside = _inside_net(asa)
    outside = ipaddress.IPv4Network(f"{asa.address}/24", strict=False)
    return "\n".join([
        _ROUTE_CODES,
        f"Gateway of last resort is {asa.next_hop} to network 0.0.0.0",
        "",
        f"S*       0.0.0.0 0.0.0.0 [1/0] via {asa.next_hop}, {asa.interface}",
        f"C        {inside.network_address} {inside.netmask} is directly connected, inside",
        f"L        {next(inside.hosts())} 255.255.255.255 is directly connected, inside",
        f"C        {outside.network_address} {outside.netmask} is directly connected, "
        f"{asa.interface}",
        f"L        {asa.address} 255.255.255.255 is directly connected, {asa.interface}",
    ]) + "\n"  # fmt: skip


def show_route_to(asa: Endpoint, address: str) -> str:
    """`show route X`: the ASA's `Routing entry for` block (inside net or the default)."""
    inside = _inside_net(asa)
    if ipaddress.IPv4Address(address) in inside:
        return (f"Routing entry for {inside.network_address} {inside.netmask}\n"
                '  Known via "connected", distance 0, metric 0 (connected, via interface)\n'
                "  Routing Descriptor Blocks:\n"
                "  * directly connected, via inside\n"
                "      Route metric is 0, traffic share count is 1\n")  # fmt: skip
    return ("Routing entry for 0.0.0.0 0.0.0.0, supernet\n"
            '  Known via "static", distance 1, metric 0, candidate default path\n'
            "  Routing Descriptor Blocks:\n"
            f"  * {asa.next_hop}, via {asa.interface}\n"
            "      Route metric is 0, traffic share count is 1\n")  # fmt: skip


def sla_monitor(asa: Endpoint) -> str:
    """`show running-config sla monitor`: AWS's keepalive probe through the tunnel (S27)."""
    if not asa.sla_monitor:
        return ""
    target = next(ipaddress.IPv4Network(asa.remote_nets[0], strict=False).hosts())
    return (f"sla monitor 1\n type echo protocol ipIcmpEcho {target} interface {asa.interface}\n"
            " frequency 5\nsla monitor schedule 1 life forever start-time now\n")  # fmt: skip


def interfaces(asa: Endpoint) -> str:
    """`show running-config interface`: the outside and inside interfaces."""
    inside = _inside_net(asa)
    return "\n".join([
        "interface GigabitEthernet0/0", f" nameif {asa.interface}", " security-level 0",
        f" ip address {asa.address} 255.255.255.0", "!",
        "interface GigabitEthernet0/1", " nameif inside", " security-level 100",
        f" ip address {next(inside.hosts())} {inside.netmask}",
    ]) + "\n"  # fmt: skip


def config_outputs(spec: ModelSpec, encaps: int = 0, decaps: int = 0) -> dict[str, str]:
    """Every configuration command the mock answers from the model, canonical -> text."""
    asa, peer = spec.asa, spec.peer
    outputs = {
        "show running-config crypto map": crypto_map(asa, peer),
        "show running-config crypto ikev1": crypto_ikev1(asa),
        "show running-config crypto ikev2": crypto_ikev2(asa),
        "show running-config crypto ipsec": crypto_ipsec(asa),
        "show running-config tunnel-group": tunnel_groups(asa, peer),
        "show running-config access-list": access_lists(asa),
        f"show running-config access-list {asa.acl_label}": access_lists(asa, asa.acl_label),
        "show running-config nat": running_nat(asa),
        "show nat": show_nat(asa, encaps, decaps),
        "show route": show_route(asa),
        f"show route {peer.address}": show_route_to(asa, peer.address),
        "show running-config sla monitor": sla_monitor(asa),
        "show running-config group-policy": "",
        "show running-config interface": interfaces(asa),
    }
    for remote in asa.remote_nets:
        address = remote.split("/")[0]
        outputs[f"show route {address}"] = show_route_to(asa, address)
    return outputs

"""Snapshot directories of N healthy tunnels, rendered by the mock (mock_device/render.py).

Why: `diagnose --snapshot` on a hub firewall is the size benchmark (issue 19); a snapshot
directory is what an engineer hands the tool offline, so the bench runs the real CLI on one.
The SA tables come from the mock's renderer (the bytes the mock would send); ``config=True``
adds the hub's configuration for the same tunnels (one crypto map entry, crypto ACL and
tunnel-group per peer) so the configuration checks run at size too.
"""

from __future__ import annotations

from pathlib import Path

import yaml


def _acl_net(net: object) -> str:
    from mock_device import render

    return render._acl_net(net)  # type: ignore[arg-type]


def hub_config(specs: tuple[object, ...]) -> dict[str, str]:
    """`show running-config crypto map` / `access-list` / `tunnel-group` for the tunnels."""
    maps: list[str] = []
    acls: list[str] = []
    groups: list[str] = []
    for t in specs:
        peer, seq, acl, name = t.peer, t.seq, t.acl, t.crypto_map  # type: ignore[attr-defined]
        maps += [
            f"crypto map {name} {seq} match address {acl}",
            f"crypto map {name} {seq} set peer {peer}",
            f"crypto map {name} {seq} set ikev{t.ike} "  # type: ignore[attr-defined]
            + ("transform-set ESP-AES-256-SHA" if t.ike == 1 else "ipsec-proposal AES256"),  # type: ignore[attr-defined]
        ]
        if t.pfs:  # type: ignore[attr-defined]
            maps.append(f"crypto map {name} {seq} set pfs group{t.pfs}")  # type: ignore[attr-defined]
        for local, remote in t.proxies:  # type: ignore[attr-defined]
            acls.append(
                f"access-list {acl} extended permit ip {_acl_net(local)} {_acl_net(remote)}"
            )
        groups += [
            f"tunnel-group {peer} type ipsec-l2l",
            f"tunnel-group {peer} ipsec-attributes",
        ]
        if t.ike == 1:  # type: ignore[attr-defined]
            groups.append(" ikev1 pre-shared-key *****")
        else:
            groups += [
                " ikev2 remote-authentication pre-shared-key *****",
                " ikev2 local-authentication pre-shared-key *****",
            ]
    if specs:
        maps.append(f"crypto map {specs[0].crypto_map} interface outside")  # type: ignore[attr-defined]
    return {
        "show running-config crypto map": "\n".join(maps) + "\n",
        "show running-config access-list": "\n".join(acls) + "\n",
        "show running-config tunnel-group": "\n".join(groups) + "\n",
    }


def write_snapshot(tunnels: int, directory: Path, *, config: bool = True) -> Path:
    """Write a snapshot directory for ``tunnels`` healthy tunnels; return it."""
    from mock_device import outputs, render
    from vpn_doctor.asa.commands import META_FILE, snapshot_filename

    specs = render.parse_tunnel_specs(render.generate_specs(tunnels))
    texts = {
        "show version": outputs.show_version("fw-hub", "9.16(4)"),
        "show crypto isakmp sa": render.render_isakmp_sa(specs),
        "show crypto ipsec sa": render.render_ipsec_sa(specs),
        "show vpn-sessiondb detail l2l": render.render_sessiondb_l2l(specs),
    }
    if config:
        texts.update(hub_config(specs))
    directory.mkdir(parents=True, exist_ok=True)
    for command, text in texts.items():
        (directory / snapshot_filename(command)).write_text(text, encoding="utf-8")
    meta = {
        "hostname": "fw-hub",
        "version": "9.16(4)",
        "model": "ASA5555",
        "collected_at": "2025-11-22T10:00:00Z",
        "peer": None,
        "source": "bench",
    }
    (directory / META_FILE).write_text(yaml.safe_dump(meta, sort_keys=False), encoding="utf-8")
    return directory


if __name__ == "__main__":
    import sys

    write_snapshot(int(sys.argv[1]), Path(sys.argv[2]), config="--no-config" not in sys.argv)

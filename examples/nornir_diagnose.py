"""Run vpn-doctor's Nornir task over a Nornir inventory with the threaded runner.

    pip install 'vpn-doctor[nornir]'
    export VPN_DOCTOR_PASSWORD=...          # or data.password_env / a transform function
    python examples/nornir_diagnose.py hosts.yaml [PEER]

hosts.yaml is a Nornir SimpleInventory hosts file (platform: cisco_asa). Against the mock:
``vpn-doctor mock --port 2222`` and a host ``{hostname: 127.0.0.1, port: 2222, username:
admin, platform: cisco_asa}`` with VPN_DOCTOR_PASSWORD=cisco123 (the enable secret is read
from VPN_DOCTOR_SECRET, or netmiko's connection_options extras.secret; none: ``login``).
"""

from __future__ import annotations

import sys

from nornir import InitNornir

from vpn_doctor.nornir import diagnose_tunnels


def main(hosts_file: str, peer: str | None = None) -> int:
    nr = InitNornir(
        runner={"plugin": "threaded", "options": {"num_workers": 10}},
        inventory={"plugin": "SimpleInventory", "options": {"host_file": hosts_file}},
        logging={"enabled": False},
    )
    results = nr.run(task=diagnose_tunnels, peer=peer)
    worst = 0
    for name, multi in results.items():
        result = multi[0]
        if result.failed:
            print(f"{name}: FAILED: {result.result}")
            worst = max(worst, 3)
            continue
        for tunnel in result.result["tunnels"]:
            first = tunnel["findings"][0]["code"] if tunnel["findings"] else "-"
            print(f"{name}: {tunnel['peer']:<16} {tunnel['verdict']:<9} {first}")
        worst = max(worst, result.exit_code)
    return worst


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        print(__doc__)
        sys.exit(64)
    sys.exit(main(*sys.argv[1:]))

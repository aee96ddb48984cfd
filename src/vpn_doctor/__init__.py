"""vpn-doctor: diagnose site-to-site IPsec tunnels on Cisco ASA firewalls over SSH.

Data flow: collect (live SSH, snapshot directory, pasted log) -> parse (TextFSM -> models)
-> diagnose (playbook walk per tunnel) -> report (rich, JSON, Markdown, Prometheus).
"""

__version__ = "0.1.0"

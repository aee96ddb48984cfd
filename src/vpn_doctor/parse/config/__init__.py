"""Parsers for the read-only running-config sections (crypto map, tunnel-group, ACL, NAT,
routes)."""

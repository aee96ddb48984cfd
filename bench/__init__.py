"""Benchmarks for vpn-doctor (plain scripts; see bench/README.md). Not shipped, not in CI."""

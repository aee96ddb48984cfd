"""Stage 1, collect: SSH session (netmiko), read-only allowlist, debug capture, snapshots and
pasted logs."""

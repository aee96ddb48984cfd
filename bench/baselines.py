"""Hand-written collectors the benchmark times vpn-doctor against, each run as its own process.

Why: a baseline only means something if it is what a competent engineer would write.

* ``netmiko``: netmiko used as its documentation recommends for a known device:
  ``ConnectHandler(device_type="cisco_asa")`` with ``fast_cli`` (the default), and every
  ``send_command`` given an ``expect_string`` anchored on the device prompt, so netmiko
  does not run ``find_prompt`` (a bare Enter and fixed sleeps) before every command.
* ``paramiko``: the floor: one paramiko shell channel doing the same work by hand (log in,
  enable, ``terminal pager 0``, each command read up to the prompt, ``exit``), with no fixed
  sleeps at all: what the SSH round trips themselves cost.

Both send the commands listed in a file (one per line: the commands vpn-doctor sent, read
from the mock's audit log) and print the number of characters received.

Usage: ``python -m bench.baselines netmiko|paramiko HOST PORT USERNAME COMMANDS_FILE``
with the password in ``$BENCH_PASSWORD`` and the enable secret in ``$BENCH_SECRET``.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

# The ASA prompt at the end of the output: `hostname# ` (also `hostname/context# `).
_PROMPT = re.compile(r"(?:^|\n)[\w.\-/()]+# ?$")
_USER_PROMPT = re.compile(r"(?:^|\n)[\w.\-/()]+> ?$")
_READ_TIMEOUT = 60.0


def with_netmiko(host: str, port: int, username: str, commands: list[str]) -> int:
    from netmiko import ConnectHandler

    conn = ConnectHandler(
        device_type="cisco_asa",
        host=host,
        port=port,
        username=username,
        password=os.environ["BENCH_PASSWORD"],
        secret=os.environ["BENCH_SECRET"],
        fast_cli=True,
    )
    received = 0
    try:
        prompt = re.escape(conn.base_prompt) + r"#\s*$"  # anchored: no find_prompt per command
        for command in commands:
            received += len(conn.send_command(command, expect_string=prompt))
    finally:
        conn.disconnect()
    return received


def _read_until(channel: object, pattern: re.Pattern[str], timeout: float = _READ_TIMEOUT) -> str:
    """Everything the channel sends until ``pattern`` matches the tail of it."""
    chunks: list[str] = []
    tail = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = channel.recv(65536)  # type: ignore[attr-defined]
        if not data:
            break
        text = data.decode("utf-8", "replace").replace("\r", "")
        chunks.append(text)
        tail = (tail + text)[-300:]
        if pattern.search(tail):
            return "".join(chunks)
    raise TimeoutError(f"no {pattern.pattern!r} within {timeout} s")


def with_paramiko(host: str, port: int, username: str, commands: list[str]) -> int:
    import paramiko

    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(
        host,
        port=port,
        username=username,
        password=os.environ["BENCH_PASSWORD"],
        look_for_keys=False,
        allow_agent=False,
    )
    received = 0
    try:
        channel = client.invoke_shell(width=511, height=1000)
        channel.settimeout(_READ_TIMEOUT)
        banner = _read_until(channel, re.compile(r"[>#] ?$"))
        if _USER_PROMPT.search(banner):
            channel.send(b"enable\n")
            _read_until(channel, re.compile(r"assword: ?$"))
            channel.send((os.environ["BENCH_SECRET"] + "\n").encode())
            _read_until(channel, _PROMPT)
        channel.send(b"terminal pager 0\n")
        _read_until(channel, _PROMPT)
        for command in commands:
            channel.send((command + "\n").encode())
            received += len(_read_until(channel, _PROMPT))
        channel.send(b"exit\n")
    finally:
        client.close()
    return received


def main(argv: list[str]) -> int:
    kind, host, port, username, command_file = argv
    commands = [c for c in Path(command_file).read_text(encoding="utf-8").splitlines() if c]
    run = with_netmiko if kind == "netmiko" else with_paramiko
    print(run(host, int(port), username, commands))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""No noise: `vpn-doctor demo` and the mock print nothing on stderr (issue 11, item 6).

The DSA CryptographyDeprecationWarning that asyncssh triggers at import is handled in
mock_device/sshlib.py (why there, and why not a pin: its docstring). These tests keep it gone
and keep the filter from spreading: asyncssh is imported in that one place only, and the
filter does not outlive the import.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import MockFactory

ROOT = Path(__file__).resolve().parent.parent
_DIRECT_ASYNCSSH = re.compile(r"^\s*(?:import asyncssh\b|from asyncssh\b)", re.MULTILINE)


def _python(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, "-c", code], capture_output=True, text=True, timeout=120
    )


def test_importing_the_mock_prints_nothing_even_with_all_warnings_on() -> None:
    result = _python("import mock_device, mock_device.server", "-W", "always")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_the_filter_does_not_outlive_the_import() -> None:
    """After the import, the process's warning filters are what they were: a DSA key loaded
    later (or any other deprecation) would still be reported."""
    result = _python(
        "import warnings; before = list(warnings.filters); import mock_device; "
        "assert warnings.filters == before, warnings.filters; print('same')"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "same"


def test_asyncssh_is_imported_only_through_sshlib() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for base in ("src", "mock_device", "tests", "bench")
        for path in sorted((ROOT / base).rglob("*.py"))
        if path.name != "sshlib.py" and _DIRECT_ASYNCSSH.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.mark.e2e
def test_mock_never_offers_dsa(mock_asa: MockFactory) -> None:
    """The mock's only host key is Ed25519: a client that accepts nothing but ssh-dss gets
    no host key it can use, and a normal one negotiates ssh-ed25519."""
    import paramiko

    mock = mock_asa("healthy")
    with socket.create_connection((mock.host, mock.port), timeout=10) as sock:
        normal = paramiko.Transport(sock)
        try:
            normal.start_client(timeout=10)
            assert normal.get_remote_server_key().get_name() == "ssh-ed25519"
        finally:
            normal.close()
    everything_but_dss = [k for k in paramiko.Transport._preferred_keys if k != "ssh-dss"]
    with socket.create_connection((mock.host, mock.port), timeout=10) as sock:
        dss_only = paramiko.Transport(sock, disabled_algorithms={"keys": everything_but_dss})
        try:
            with pytest.raises(paramiko.SSHException, match=r"(?i)host key|incompatible"):
                dss_only.start_client(timeout=10)
        finally:
            dss_only.close()


@pytest.mark.e2e
def test_demo_prints_nothing_on_stderr() -> None:
    """The whole pipeline (mock ASA in-process, netmiko over SSH, parse, diagnose, render)."""
    result = subprocess.run(
        [sys.executable, "-m", "vpn_doctor.cli", "demo"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode in (0, 1, 2, 3), result.stderr  # demo exits with its verdict
    assert result.stderr == ""
    assert "vpn-doctor demo" in result.stdout

"""The mock ASA as a pytest plugin (mock_device/pytest_plugin.py, entry point `pytest11`).

Tested the way another project would use it: pytester writes a test file in an empty
directory (no conftest, nothing of ours on the path but the installed package) and runs pytest
on it in a subprocess, so the fixture can only come from the installed entry point.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e  # the inner tests start mock ASAs and connect to them

OUTER_TEST = """
import socket
import sys
from pathlib import Path

import pytest


def test_loading_the_plugin_imports_no_ssh_library():
    assert "asyncssh" not in sys.modules
    assert "mock_device.runner" not in sys.modules


def test_running_mock_for_a_scenario_name(mock_asa, tmp_path):
    asa = mock_asa("mm_wait_msg6", hostname="fw-plugin")
    assert asa.host == "127.0.0.1" and asa.port > 0
    with socket.create_connection((asa.host, asa.port), timeout=10) as sock:
        assert sock.recv(64).startswith(b"SSH-2.0-")
    Path("{port_file}").write_text(str(asa.port))


def test_unknown_override_is_refused(mock_asa):
    with pytest.raises(TypeError, match="no_such_option"):
        mock_asa("healthy", no_such_option=1)
"""


def test_fixture_from_the_installed_plugin(pytester: pytest.Pytester) -> None:
    port_file = pytester.path / "port.txt"
    pytester.makepyfile(test_uses_mock=OUTER_TEST.replace("{port_file}", str(port_file)))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=3)
    # the fixture stopped the mock when the inner test ended: nothing listens there any more
    port = int(port_file.read_text())
    import socket

    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=5):
        pass


def test_plugin_is_registered_under_its_entry_point(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_x(): pass")
    result = pytester.runpytest_subprocess("-p", "no:vpn_doctor_mock", "--fixtures")
    assert "mock_asa" not in result.stdout.str()
    result = pytester.runpytest_subprocess("--fixtures")
    assert "mock_asa" in result.stdout.str()
    assert "mock_device/pytest_plugin.py" in result.stdout.str().replace("\\", "/")

"""The public API: `from vpn_doctor import ...` (README "Library use"; stable from now on).

`vpn_doctor/__init__.py` lists every public name three times by necessity: in ``__all__``,
in the lazy table ``_EXPORTS`` (name -> defining module) and in the ``TYPE_CHECKING`` imports
mypy reads. These tests keep the three in step, prove every name resolves to the object its
module defines, and that ``import vpn_doctor`` stays cheap.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import vpn_doctor
from mock_device import load_scenario

from helpers import scenario_snapshot

HEAVY = ("netmiko", "paramiko", "textfsm", "asyncssh", "rich")

# What issue 11 promised scripts outside the project; removing one breaks them.
PROMISED = {
    "parse_isakmp_sa",
    "parse_ipsec_sa",
    "parse_sessiondb_l2l",
    "parse_crypto_config",
    "parse_crypto_map",
    "parse_ike_policies",
    "parse_transform_sets",
    "parse_tunnel_groups",
    "match_lines",
    "load_snapshot",
    "save_snapshot",
    "snapshot_filename",
    "command_from_filename",
    "read_terminal_log",
    "parse_snapshot",
    "diagnose",
    "DiagnosisReport",
    "TunnelDiagnosis",
    "Finding",
    "Snapshot",
    "DeviceState",
    "VpnDoctorError",
}


def _type_checking_imports() -> dict[str, str]:
    """name -> module of the imports under ``if TYPE_CHECKING:`` in vpn_doctor/__init__.py."""
    tree = ast.parse(Path(inspect.getfile(vpn_doctor)).read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom) and imp.module, ast.unparse(imp)
                for alias in imp.names:
                    found[alias.asname or alias.name] = imp.module
    return found


def test_all_table_and_typing_imports_agree() -> None:
    exports = vpn_doctor._EXPORTS
    assert set(vpn_doctor.__all__) == {"__version__", *exports}
    assert len(vpn_doctor.__all__) == len(set(vpn_doctor.__all__)), "a name listed twice"
    # `diagnose` is typed as the engine's function; at run time it is the subpackage
    # vpn_doctor.diagnose, callable (see test_diagnose_is_callable_in_any_import_order)
    assert _type_checking_imports() == {**exports, "diagnose": "vpn_doctor.diagnose.engine"}


def test_promised_names_are_public() -> None:
    assert sorted(PROMISED - set(vpn_doctor.__all__)) == []


@pytest.mark.parametrize("name", sorted(vpn_doctor._EXPORTS))
def test_every_name_resolves_to_its_module_object(name: str) -> None:
    value = getattr(vpn_doctor, name)
    module = importlib.import_module(vpn_doctor._EXPORTS[name])
    assert value is (module if name == "diagnose" else getattr(module, name))
    assert name in dir(vpn_doctor)


@pytest.mark.parametrize(
    "first",
    ["pass", "import vpn_doctor.diagnose.engine", "from vpn_doctor.diagnose import findings"],
)
def test_diagnose_is_callable_in_any_import_order(first: str) -> None:
    """`vpn_doctor.diagnose` is bound to the subpackage as soon as any of its modules is
    imported, whatever __init__ says; the subpackage is callable so the public `diagnose`
    works whichever came first, and module paths below it stay ordinary modules."""
    code = f"""
{first}
import types
import vpn_doctor.diagnose.engine as engine
from vpn_doctor import Snapshot, diagnose, parse_snapshot
assert isinstance(engine, types.ModuleType) and engine.__name__ == "vpn_doctor.diagnose.engine"
state = parse_snapshot(Snapshot(outputs=dict()))
report = diagnose(state, peer=None)
assert report == engine.diagnose(state), report
print(type(report).__name__)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "DiagnosisReport"


def test_star_import_gives_every_name() -> None:
    namespace: dict[str, object] = {}
    exec("from vpn_doctor import *", namespace)
    assert set(vpn_doctor.__all__) <= set(namespace)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        vpn_doctor.no_such_thing  # noqa: B018
    assert not hasattr(vpn_doctor, "no_such_thing")


def test_import_vpn_doctor_loads_nothing_heavy() -> None:
    """In a fresh interpreter: `import vpn_doctor` (and reading __version__ and dir()) loads
    none of the heavy dependencies, nor any of our own subpackages."""
    code = (
        "import sys, vpn_doctor; vpn_doctor.__version__; dir(vpn_doctor); "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} "
        "or m.startswith('vpn_doctor.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_library_use_example_from_the_readme(tmp_path: Path) -> None:
    """The README's snippet on a snapshot written with the public API (mock_device's
    mm_wait_msg6 outputs, no SSH): a pre-shared key mismatch, found through `vpn_doctor.*`."""
    from vpn_doctor import diagnose, load_snapshot, parse_snapshot, save_snapshot

    scenario = load_scenario("mm_wait_msg6")
    save_snapshot(scenario_snapshot(scenario), tmp_path / "fw1-snap")
    report = diagnose(parse_snapshot(load_snapshot(tmp_path / "fw1-snap")), peer=None)
    codes = {finding.code for tunnel in report.tunnels for finding in tunnel.findings}
    assert "IKE_AUTH_FAILED" in codes, codes


def test_mock_device_lazy_names_resolve() -> None:
    """mock_device/__init__.py is lazy the same way (its pytest plugin must not load asyncssh)."""
    import mock_device

    assert set(mock_device.__all__) == set(mock_device._EXPORTS)
    for name, module in mock_device._EXPORTS.items():
        assert getattr(mock_device, name) is getattr(importlib.import_module(module), name)

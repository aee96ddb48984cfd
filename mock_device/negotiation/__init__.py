"""Negotiation model for the mock ASA: derive show outputs, debug and syslog from config.

Why: canned outputs only test the failures somebody thought to write down. Here a scenario
describes the ASA's crypto configuration, the peer's (or a profile such as AWS), the path
between them and a list of injected faults; :func:`derive` works out how far IKE and IPsec
negotiation get, from which side, and renders every output consistently from that one
outcome. Faults can therefore be combined, and the diagnosis measured (bench/accuracy.py).

Modules: :mod:`.config` (what is configured), :mod:`.faults` (the catalogue of injectable
faults and the finding code each should produce), :mod:`.model` (the negotiation),
:mod:`.render_config` / :mod:`.render_state` (outputs), :mod:`.derive` (the glue used by
``mock_device.scenario`` for a scenario's ``model:`` key). Everything is pure and
deterministic.
"""

from mock_device.negotiation.config import ModelSpec, parse_model
from mock_device.negotiation.derive import Derived, derive, derive_spec
from mock_device.negotiation.faults import FAULTS, Fault, expected_code
from mock_device.negotiation.model import Outcome, negotiate

__all__ = [
    "FAULTS",
    "Derived",
    "Fault",
    "ModelSpec",
    "Outcome",
    "derive",
    "derive_spec",
    "expected_code",
    "negotiate",
    "parse_model",
]

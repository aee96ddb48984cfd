"""Stage 3, diagnose: playbook walk per tunnel, message catalogue, config checks, findings.

This subpackage is also the public function ``vpn_doctor.diagnose(state, peer=None, ...)``
(``from vpn_doctor import diagnose``, README "Library use"): Python binds a package's
attribute ``diagnose`` to this subpackage as soon as any ``vpn_doctor.diagnose.*`` module is
imported, so the name can only be one object; the module is callable instead and the call is
:func:`vpn_doctor.diagnose.engine.diagnose`. Every module path (``vpn_doctor.diagnose.engine``,
``mock.patch`` targets, ``import ... as``) behaves as for any other package.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vpn_doctor.diagnose.findings import DiagnosisReport


class _CallablePackage(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> DiagnosisReport:
        """Diagnose the tunnels of a parsed device state: see vpn_doctor.diagnose.engine."""
        from vpn_doctor.diagnose.engine import diagnose

        return diagnose(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage

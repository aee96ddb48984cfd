"""Where the data directories (templates/, playbooks/) live.

They sit at the top of the repository (the layout the users asked for), beside src/. The
package is installed in editable mode (`pip install -e .`), so we find them relative to this
file; ``VPN_DOCTOR_HOME`` overrides for unusual installs.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    override = os.environ.get("VPN_DOCTOR_HOME")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2]


def templates_dir() -> Path:
    return project_root() / "templates"


def playbooks_dir() -> Path:
    return project_root() / "playbooks"


def profiles_dir() -> Path:
    return project_root() / "profiles"

"""Where the shipped data files (templates, playbooks, profiles, knowledge) are read from.

The repository keeps ``templates/``, ``playbooks/`` and ``profiles/`` at its top level (the
layout the users asked for). ``src/vpn_doctor/data/`` holds symbolic links to them, so the
build copies their files into the package (``vpn_doctor/data/...`` inside the wheel) and an
editable install reads them in place. Either way they are found with importlib.resources,
never by walking up from this file, so a wheel installed anywhere finds its own data.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from vpn_doctor.errors import VpnDoctorError


def data_dir() -> Path:
    """The package's data directory (``vpn_doctor/data``), as a real directory.

    pip always installs wheels unpacked, so the package is on disk; a zip import (which
    would need ``importlib.resources.as_file`` per file) is reported, not half-supported.
    """
    root = resources.files("vpn_doctor").joinpath("data")
    if not isinstance(root, Path):
        raise VpnDoctorError(f"vpn_doctor is installed in a form without files on disk: {root}")
    return root


def templates_dir() -> Path:
    return data_dir() / "templates"


def playbooks_dir() -> Path:
    return data_dir() / "playbooks"


def profiles_dir() -> Path:
    return data_dir() / "profiles"


def knowledge_file() -> Path:
    return data_dir() / "knowledge.yaml"

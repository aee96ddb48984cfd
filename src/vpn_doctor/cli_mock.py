"""CLI sub-command(s): mock. (placeholder; owned by the issue that builds it)"""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: "argparse._SubParsersAction[Any]") -> None:
    """Add this module's sub-commands to the top-level parser."""

"""Durations as the ASA prints them (vpn-sessiondb ``Duration``, ``Rekey Left``), in seconds."""

from __future__ import annotations

import re

_DURATION = re.compile(
    r"^\s*(?:(?P<d>\d+)d\s*)?(?:(?P<h>\d+)h)?:?(?:(?P<m>\d+)m)?:?(?:(?P<s>\d+)s)?\s*$"
)


def duration_seconds(text: str) -> int | None:
    """``14d 7h:25m:33s`` / ``0h:00m:45s`` / ``45s`` -> seconds; None when not a duration."""
    match = _DURATION.match(text or "")
    if not match or not any(match.groupdict().values()):
        return None
    parts = {key: int(value) for key, value in match.groupdict().items() if value}
    days, hours = parts.get("d", 0), parts.get("h", 0)
    return days * 86400 + hours * 3600 + parts.get("m", 0) * 60 + parts.get("s", 0)

"""Tunnels that change with time: counters that grow, SAs that flap, a rekey that fails.

Why: one frozen sample cannot show what engineers chase after a tunnel "comes up" (traffic
that stopped one way a minute ago, a tunnel torn down and rebuilt every few seconds, an
IPsec SA that expires with no new one). `vpn-doctor watch` and `diagnose --samples` poll the
device; the mock must answer each poll with the tunnel as it is *now*. A tunnel spec's
optional ``motion:`` mapping says how it moves; :func:`spec_at` turns the spec and the
seconds since the mock started into the static spec the renderer already knows, so every
output (isakmp, ipsec, sessiondb, their filtered forms) stays consistent at each instant::

    motion:
      encaps_per_s: 40        # packets per second added to #pkts encaps (default 0)
      decaps_per_s: 40        # ... to #pkts decaps
      decaps_stop_at: 2.0     # from this second on decaps no longer grow (one-way now)
      encaps_stop_at: null    # the same for encaps
      flap_up: 2.0            # the SA is up for flap_up seconds, then gone for flap_down,
      flap_down: 1.0          #   again and again; each rebuild has new SPIs and a 113019
      rekey_fail_at: 3.0      # from this second the IPsec SA is gone, phase 1 stays up

The mock's ``show logging`` gets a ``%ASA-4-113019`` line per completed teardown (format
from real logs in shared/real-outputs), so the teardown reasons can be read as a device
would give them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_device.render import TunnelSpec

_KEYS = frozenset(
    {
        "encaps_per_s",
        "decaps_per_s",
        "encaps_stop_at",
        "decaps_stop_at",
        "flap_up",
        "flap_down",
        "rekey_fail_at",
    }
)
_LOG_TIME_BASE = "Dec 06 2026 10:00:00"


@dataclass(frozen=True)
class Motion:
    """How one tunnel changes with time (seconds since the mock device started)."""

    encaps_per_s: float = 0.0
    decaps_per_s: float = 0.0
    encaps_stop_at: float | None = None
    decaps_stop_at: float | None = None
    flap_up: float | None = None
    flap_down: float | None = None
    rekey_fail_at: float | None = None

    @property
    def flaps(self) -> bool:
        return self.flap_up is not None and self.flap_down is not None

    def cycle(self) -> float:
        return (self.flap_up or 0.0) + (self.flap_down or 0.0)


def parse_motion(data: Any) -> Motion:
    """Validate a ``motion:`` mapping. Raises ValueError naming the key."""
    if not isinstance(data, Mapping):
        raise ValueError(f"motion: expected a mapping, got {type(data).__name__}")
    unknown = set(data) - _KEYS
    if unknown:
        raise ValueError(f"motion: unknown key(s): {', '.join(sorted(map(str, unknown)))}")
    values: dict[str, float | None] = {}
    for key in _KEYS:
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"motion.{key}: expected a non-negative number, got {value!r}")
        values[key] = float(value)
    motion = Motion(**values)  # type: ignore[arg-type]
    if (motion.flap_up is None) != (motion.flap_down is None):
        raise ValueError("motion: flap_up and flap_down go together")
    if motion.flaps and motion.cycle() <= 0:
        raise ValueError("motion: flap_up + flap_down must be positive")
    return motion


def _grown(base: int, rate: float, elapsed: float, stop_at: float | None) -> int:
    until = elapsed if stop_at is None else min(elapsed, stop_at)
    return base + int(rate * max(until, 0.0))


def spec_at(spec: TunnelSpec, elapsed: float) -> TunnelSpec:
    """The tunnel as it is ``elapsed`` seconds after the mock started."""
    motion = spec.motion
    if motion is None:
        return spec
    changes: dict[str, Any] = {}
    up_since = 0.0
    if motion.flaps:
        cycle = motion.cycle()
        generation = math.floor(elapsed / cycle)
        into = elapsed - generation * cycle
        up_since = generation * cycle
        changes["generation"] = generation
        if into >= (motion.flap_up or 0.0):
            changes["state"] = "NONE"
            changes["ipsec"] = False
    if motion.rekey_fail_at is not None and elapsed >= motion.rekey_fail_at:
        changes["ipsec"] = False
    # Counters count from the SA's birth: a rebuilt SA starts again near zero. The session
    # (vpn-sessiondb Duration) ages with the clock and restarts with a rebuild.
    since = elapsed - up_since
    from mock_device.render import session_age  # render imports this module

    changes["session_age"] = int(since) + (session_age(spec) if up_since == 0 else 1)
    changes["encaps"] = _grown(
        spec.encaps if not motion.flaps or up_since == 0 else 0,
        motion.encaps_per_s,
        since,
        None if motion.encaps_stop_at is None else motion.encaps_stop_at - up_since,
    )
    changes["decaps"] = _grown(
        spec.decaps if not motion.flaps or up_since == 0 else 0,
        motion.decaps_per_s,
        since,
        None if motion.decaps_stop_at is None else motion.decaps_stop_at - up_since,
    )
    return dataclasses.replace(spec, **changes)


def specs_at(specs: Sequence[TunnelSpec], elapsed: float) -> tuple[TunnelSpec, ...]:
    return tuple(spec_at(spec, elapsed) for spec in specs)


def moving(specs: Sequence[TunnelSpec] | None) -> bool:
    return bool(specs) and any(spec.motion is not None for spec in specs or ())


def teardown_log_lines(specs: Sequence[TunnelSpec], elapsed: float) -> list[str]:
    """``%ASA-4-113019`` for every teardown that happened before ``elapsed``, in time order."""
    events: list[tuple[float, str]] = []
    for spec in specs:
        motion = spec.motion
        if motion is None:
            continue
        if motion.flaps:
            cycle = motion.cycle()
            up = motion.flap_up or 0.0
            n = 0
            while n * cycle + up <= elapsed and n < 10_000:
                at = n * cycle + up
                events.append((at, _disconnected(spec, at, up, "Lost Service")))
                n += 1
        if motion.rekey_fail_at is not None and motion.rekey_fail_at <= elapsed:
            at = motion.rekey_fail_at
            events.append(
                (
                    at,
                    f"{_stamp(at)}: %ASA-5-713050: Group = {spec.connection}, IP = {spec.peer_ip}"
                    f", Connection terminated for peer {spec.peer_ip}.  Reason: IPsec SA Max "
                    f"Time Exceeded  Remote Proxy {spec.proxies[0][1].addr}, Local Proxy "
                    f"{spec.proxies[0][0].addr}"
                    if spec.proxies
                    else "",
                )
            )
    events.sort(key=lambda item: item[0])
    return [line for _, line in events if line]


def _stamp(at: float) -> str:
    seconds = int(at)
    return f"Dec 06 2026 10:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _disconnected(spec: TunnelSpec, at: float, duration: float, reason: str) -> str:
    d = int(duration)
    return (
        f"{_stamp(at)}: %ASA-4-113019: Group = {spec.connection}, Username = {spec.connection}, "
        f"IP = {spec.peer_ip}, Session disconnected. Session Type: LAN-to-LAN, Duration: "
        f"{d // 3600}h:{d // 60 % 60:02d}m:{d % 60:02d}s, Bytes xmt: {spec.encaps * 100}, "
        f"Bytes rcv: {spec.decaps * 100}, Reason: {reason}"
    )

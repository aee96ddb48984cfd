"""Poll one peer over time on an open session: the raw material of ``watch`` and
``diagnose --samples``.

Why a module of its own: one sample is a snapshot; several are a time series, and the
commands must stay cheap on a loaded hub (device-side filtered where the ASA can filter, one
round trip each) while the timing stays honest (``at`` is measured, not assumed). Each poll
is two commands: ``show crypto isakmp sa`` (the ASA cannot filter it by peer; the parser
picks the peer) and ``show crypto ipsec sa peer X`` (box-wide without a peer). The outputs
stay raw here; the parse stage turns them into :class:`~vpn_doctor.models.TunnelSample`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone

from vpn_doctor.asa.commands import sample_commands
from vpn_doctor.collect.allowlist import check_allowed
from vpn_doctor.collect.limits import MAX_SAMPLES as MAX_SAMPLES
from vpn_doctor.collect.limits import MIN_INTERVAL as MIN_INTERVAL
from vpn_doctor.collect.runner import CommandRunner
from vpn_doctor.errors import CommandRejected
from vpn_doctor.masking import mask_secrets
from vpn_doctor.models import RawSample


def take_sample(runner: CommandRunner, peer: str, started: float) -> RawSample:
    """One poll of ``peer``; ``started`` is the monotonic time of the first sample."""
    at = time.monotonic() - started
    taken_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    outputs: dict[str, str] = {}
    for command in sample_commands(peer):
        check_allowed(command)
        try:
            outputs[command] = mask_secrets(runner.run(command))
        except CommandRejected as exc:
            outputs[command] = mask_secrets(exc.output or f"ERROR: {exc.message}")
    return RawSample(peer=peer, at=round(at, 3), taken_at=taken_at, outputs=outputs)


def sample_from_snapshot(outputs: dict[str, str], peer: str, taken_at: str) -> RawSample | None:
    """The first sample, from what the collection already read (no second round trip)."""
    wanted = sample_commands(peer)
    if not all(command in outputs for command in wanted):
        return None
    return RawSample(peer, 0.0, taken_at, {command: outputs[command] for command in wanted})


class Pacer:
    """The pace of a series of samples: when the next one is due, and taking it.

    Why a class and not only :func:`take_samples`: ``watch --debug`` takes its samples from
    inside the debug capture's read loop (on the capture's channel, between two reads of
    the debug stream), so the loop that waits is not always ours. The pace is kept against
    the clock, not by sleeping ``interval`` after each poll, so a slow device does not
    stretch the window; ``started`` is the monotonic time of the first sample (t = 0 of the
    series, which the debug lines of a watch are timed against too).
    """

    def __init__(
        self,
        peer: str,
        count: int,
        interval: float,
        *,
        first: RawSample | None = None,
        on_sample: Callable[[RawSample], None] | None = None,
    ) -> None:
        if count < 1 or count > MAX_SAMPLES:
            raise ValueError(f"samples must be 1..{MAX_SAMPLES}, got {count}")
        self.peer = peer
        self.count = count
        self.interval = max(interval, MIN_INTERVAL)
        self.on_sample = on_sample
        self.started = time.monotonic() - (first.at if first is not None else 0.0)
        self.samples: list[RawSample] = []
        if first is not None:
            self._keep(first)

    @property
    def done(self) -> bool:
        return len(self.samples) >= self.count

    def elapsed(self) -> float:
        """Seconds since the first sample (the time axis of the series)."""
        return time.monotonic() - self.started

    def delay(self) -> float:
        """Seconds until the next sample is due (0: now)."""
        if not self.samples:
            return 0.0
        due = self.started + self.samples[-1].at + self.interval
        return max(0.0, due - time.monotonic())

    def take(self, runner: CommandRunner) -> RawSample:
        """Take the next sample now (whether due or not)."""
        sample = take_sample(runner, self.peer, self.started)
        self._keep(sample)
        return sample

    def poll(self, runner: CommandRunner) -> None:
        """Take the next sample if it is due; for loops that wait for something else too."""
        if not self.done and self.delay() <= 0:
            self.take(runner)

    def run(self, runner: CommandRunner, sleep: Callable[[float], None] = time.sleep) -> None:
        """Wait and sample until ``count`` samples are taken."""
        while not self.done:
            delay = self.delay()
            if delay > 0:
                sleep(delay)
            self.take(runner)

    def _keep(self, sample: RawSample) -> None:
        self.samples.append(sample)
        if self.on_sample:
            self.on_sample(sample)


def take_samples(
    runner: CommandRunner,
    peer: str,
    count: int,
    interval: float,
    *,
    first: RawSample | None = None,
    on_sample: Callable[[RawSample], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[RawSample]:
    """``count`` samples ``interval`` seconds apart (the first may be given, already read).

    ``on_sample`` sees each sample as it arrives (the live view); an exception from the
    runner propagates with the samples so far lost to the caller, who keeps what
    ``on_sample`` saw. The pace is :class:`Pacer`'s.
    """
    pacer = Pacer(peer, count, interval, first=first, on_sample=on_sample)
    pacer.run(runner, sleep)
    return pacer.samples

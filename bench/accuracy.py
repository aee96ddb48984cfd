"""Diagnosis accuracy: random faulted tunnels on mock ASAs, the full tool over SSH, a score.

README section (for the lead to paste)
--------------------------------------
### Measuring diagnosis accuracy

``python bench/accuracy.py --n 200 --seed 1`` generates 200 random tunnels (generic peers
and AWS, IKEv1 and IKEv2, the ASA as initiator or responder), each with one injected fault
from ``mock_device/negotiation/faults.py`` or none (healthy controls), serves them from a
fleet of mock ASAs (``MockFleet``, real SSH on 127.0.0.1), and runs the whole tool against
each one: driver + collect (the ``diagnose`` commands plus the configuration commands),
parse, diagnose. ``--double`` injects two compatible faults per tunnel. It prints, per fault
kind, top-1 accuracy (the first finding is the expected Contract 3 code), misses (the code
is nowhere in the findings) and, for healthy controls, tunnels wrongly flagged. Targets:
100% top-1 on single faults, no healthy tunnel flagged, both codes named for double faults.
``--offline`` skips SSH (same outputs, read straight from the scenarios: a quick check),
``--json FILE`` keeps the per-case results, ``--show-failures`` lists the misdiagnosed
cases with their model so they can be replayed as a ``model:`` scenario.

Why generated and not hand-written: the scenarios under mock_device/scenarios only test what
somebody thought of. Here the mock derives every output from configuration, so faults
combine the way real ones do and the harness measures the diagnosis, not our memory.
Cases whose symptoms the ASA cannot tell apart from another fault (Fault.ambiguous, e.g. a
PFS refusal heard by the quick mode initiator) are not drawn: scoring them would measure
luck.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/accuracy.py` from a checkout
    sys.path.insert(0, str(ROOT))

from mock_device.negotiation.config import (  # noqa: E402
    AWS,
    Endpoint,
    ModelSpec,
    P1Policy,
    PathConditions,
    aws_asa,
    aws_peer,
    mirror,
)
from mock_device.negotiation.derive import Derived, derive_spec  # noqa: E402
from mock_device.negotiation.faults import FAULTS, HEALTHY_CODE, Fault  # noqa: E402
from mock_device.scenario import Scenario  # noqa: E402

HEALTHY = "(healthy)"


@dataclass(frozen=True)
class Case:
    """One generated tunnel: its spec (faults not applied) and the derived mock outputs."""

    index: int
    spec: ModelSpec
    derived: Derived

    @property
    def kind(self) -> str:
        return " + ".join(self.spec.faults) or HEALTHY

    @property
    def expected(self) -> tuple[str, ...]:
        return self.derived.expected

    def scenario(self) -> Scenario:
        parts = self.derived.scenario_parts()
        name, host = f"acc{self.index:04d}", f"fw{self.index:04d}"
        return Scenario.from_dict({"name": name, "hostname": host,
                                   **parts})  # fmt: skip


@dataclass(frozen=True)
class Result:
    """What the tool said about one case."""

    case: Case
    codes: tuple[str, ...]
    verdict: str
    error: str = ""

    @property
    def top1(self) -> str:
        return self.codes[0] if self.codes else ""

    @property
    def correct(self) -> bool:
        if len(self.case.expected) == 1:
            return self.top1 == self.case.expected[0]
        return self.top1 in self.case.expected

    @property
    def all_named(self) -> bool:
        return all(code in self.codes for code in self.case.expected)

    @property
    def healthy_flagged(self) -> bool:
        return not self.case.spec.faults and (self.top1 != HEALTHY_CODE or self.verdict != "up")


# ---------------------------------------------------------------- generation


def _address(index: int) -> str:
    block, host = divmod(index, 250)
    return (
        f"203.0.113.{host + 1}"
        if block == 0
        else f"100.{64 + block // 250}.{block % 250}.{host + 1}"
    )


def _base(rng: random.Random, index: int, aws: bool) -> ModelSpec:
    """A healthy tunnel with randomised (but mutually consistent) parameters."""
    peer_ip = _address(index)
    if aws:
        asa = aws_asa(peer_ip, _address(index + 5000))
        return ModelSpec(asa=asa, peer=aws_peer(peer_ip, asa), profile=AWS,
                         traffic=rng.choice(("both", "asa")))  # fmt: skip
    a, b = rng.randrange(1, 200), rng.randrange(1, 250)
    asa = Endpoint(
        address="198.51.100.2",
        ike=rng.choice(((1,), (1,), (2,))),
        p1=P1Policy(rng.choice(("aes", "aes-256")), rng.choice(("sha", "sha256")),
                    rng.choice((2, 14)), rng.choice((28800, 86400))),
        transform=rng.choice(("esp-aes-256 esp-sha-hmac", "esp-aes esp-sha-hmac",
                              "esp-aes-256 esp-sha-256-hmac")),
        pfs=rng.choice((None, 14, 2)),
        local_nets=(f"10.{a}.{b}.0/24",),
        remote_nets=(f"172.{16 + a % 16}.{b}.0/24",),
        seq=10 * rng.randrange(1, 9),
    )  # fmt: skip
    return ModelSpec(asa=asa, peer=mirror(asa, peer_ip), path=PathConditions(),
                     traffic=rng.choice(("both", "peer", "asa")))  # fmt: skip


def _applicable(fault: Fault, spec: ModelSpec) -> bool:
    return spec.profile in fault.profiles and bool(set(fault.ike) & set(spec.asa.ike))


_CONFLICTS = {
    frozenset({"one_way_traffic", "peer_no_return"}),
    frozenset({"overlapping_subnets", "proxy_acl_not_mirror"}),
    frozenset({"overlapping_subnets", "acl_swapped"}),
    frozenset({"psk_mismatch", "phase1_proposal_mismatch"}),
}


def _pair_ok(spec: ModelSpec, first: Fault, second: Fault) -> bool:
    """Both faults must stay visible together (see the module docstring)."""
    if frozenset({first.name, second.name}) in _CONFLICTS:
        return False
    if first.blocks and second.blocks:
        return False
    for a, b in ((first, second), (second, first)):
        if a.blocks and not b.config_visible:
            return False
    derived = derive_spec(replace(spec, faults=(first.name, second.name)))
    if not (first.blocks or second.blocks) and not derived.outcome.pairs:
        return first.config_visible and second.config_visible
    return len(set(derived.expected)) == 2


def _draw(rng: random.Random, index: int, faults: int, healthy_share: float) -> Case:
    """Faults first (uniformly, so rare-but-valid kinds are not starved), then a base tunnel
    they apply to; ambiguous or incompatible draws are drawn again."""
    if rng.random() < healthy_share:
        return Case(index, (spec := _base(rng, index, aws=rng.random() < 0.2)),
                    derive_spec(spec))  # fmt: skip
    names = sorted(FAULTS)
    for _ in range(500):
        chosen = [FAULTS[name] for name in rng.sample(names, faults)]
        aws_ok = all(AWS in f.profiles for f in chosen)
        generic_ok = all("" in f.profiles for f in chosen)
        if not (aws_ok or generic_ok):
            continue
        aws = aws_ok and (not generic_ok or rng.random() < 0.2)
        spec = _base(rng, index, aws=aws)
        if not all(_applicable(f, spec) for f in chosen):
            continue
        if faults == 2 and not _pair_ok(spec, chosen[0], chosen[1]):
            continue
        spec = replace(spec, faults=tuple(f.name for f in chosen))
        derived = derive_spec(spec)
        if any(f.ambiguous(derived.spec, derived.outcome.role) for f in chosen):
            continue
        return Case(index, spec, derived)
    raise RuntimeError(f"case {index}: could not draw a usable fault combination")


def generate(n: int, seed: int, *, double: bool = False, healthy_share: float = 0.1) -> list[Case]:
    """``n`` cases, reproducible from ``seed``."""
    rng = random.Random(seed)
    return [_draw(rng, i, 2 if double else 1, healthy_share) for i in range(n)]


# ---------------------------------------------------------------- running the tool


def _commands() -> tuple[str, ...]:
    from vpn_doctor.cli_diagnose import DIAGNOSE_COMMANDS
    from vpn_doctor.commands import CONFIG_COMMANDS

    return tuple(dict.fromkeys([*DIAGNOSE_COMMANDS, *CONFIG_COMMANDS]))


def _diagnose(case: Case, outputs: dict[str, str]) -> Result:
    from vpn_doctor.engine import diagnose
    from vpn_doctor.models import Snapshot
    from vpn_doctor.parsing import parse_snapshot

    report = diagnose(parse_snapshot(Snapshot(outputs=outputs)), case.spec.peer.address)
    tunnel = report.tunnels[0] if report.tunnels else None
    if tunnel is None:
        return Result(case, (), "", error="no tunnel in the report")
    return Result(case, tuple(f.code for f in tunnel.findings), str(tunnel.verdict))


def run_offline(cases: Sequence[Case]) -> list[Result]:
    """Same outputs as over SSH, read straight from each scenario (no network)."""
    from mock_device.cli_emulation import logging_text
    from mock_device.outputs import OutputBook

    results = []
    for case in cases:
        scenario = case.scenario()
        book = OutputBook(scenario)
        outputs: dict[str, str] = {}
        for command in _commands():
            if command == "show logging":
                outputs[command] = logging_text(scenario.logging_buffer, False)
                continue
            text = book.lookup(command)
            if text is not None:
                outputs[command] = text
        results.append(_diagnose(case, outputs))
    return results


def run_ssh(cases: Sequence[Case], workers: int = 16,
            progress: Callable[[int], None] | None = None) -> list[Result]:  # fmt: skip
    """Serve every case from one MockFleet and run driver + collect + diagnose against it."""
    from mock_device import MockFleet
    from vpn_doctor.collect import collect
    from vpn_doctor.driver import AsaSession, ConnectionSettings
    from vpn_doctor.errors import VpnDoctorError

    commands = _commands()
    with MockFleet([c.scenario() for c in cases]) as fleet:

        def one(i: int) -> Result:
            mock = fleet[i]
            settings = ConnectionSettings(host=mock.host, port=mock.port, username=mock.username,
                                          password=mock.password, secret=mock.secret)  # fmt: skip
            try:
                with AsaSession(settings) as session:
                    snapshot = collect(session, None, commands)
            except VpnDoctorError as exc:
                return Result(cases[i], (), "", error=f"{type(exc).__name__}: {exc}")
            result = _diagnose(cases[i], dict(snapshot.outputs))
            if progress:
                progress(i)
            return result

        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(one, range(len(cases))))


# ---------------------------------------------------------------- scoring


def table(results: Sequence[Result]) -> str:
    """Per fault kind: cases, top-1 correct, misses, what the tool said instead."""
    groups: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        groups[r.case.kind].append(r)
    width = max([len(k) for k in groups] + [10])
    double = any(len(r.case.spec.faults) > 1 for r in results)
    head = f"{'fault':<{width}}  {'n':>3}  {'top-1':>6}  {'missed':>6}"
    head += f"  {'both':>5}" if double else ""
    lines = [head + "  expected -> wrong top-1 (count)", "-" * (len(head) + 40)]
    for kind in sorted(groups):
        rs = groups[kind]
        ok = sum(r.correct for r in rs)
        missed = sum(not r.all_named if len(r.case.expected) > 1
                     else r.case.expected[0] not in r.codes for r in rs)  # fmt: skip
        wrong = Counter(r.top1 or r.error or "(nothing)" for r in rs if not r.correct)
        expected = "/".join(sorted({"+".join(r.case.expected) for r in rs}))
        row = f"{kind:<{width}}  {len(rs):>3}  {100 * ok / len(rs):>5.0f}%  {missed:>6}"
        row += f"  {sum(r.all_named for r in rs):>5}" if double else ""
        detail = ", ".join(f"{c} ({n})" for c, n in wrong.most_common(3))
        lines.append(f"{row}  {expected}" + (f" -> {detail}" if detail else ""))
    return "\n".join(lines)


def per_fault(results: Sequence[Result]) -> str:
    """Double faults: for each fault kind, how often its code was named at all."""
    named: dict[str, list[bool]] = defaultdict(list)
    for r in results:
        for fault in r.case.spec.faults:
            code = next(
                c for f, c in zip(_ordered(r.case), r.case.expected, strict=True) if f == fault
            )
            named[fault].append(code in r.codes)
    width = max([len(k) for k in named] + [10])
    lines = [f"{'fault (in any pair)':<{width}}    n  named", "-" * (width + 14)]
    for fault in sorted(named):
        hits = named[fault]
        lines.append(f"{fault:<{width}}  {len(hits):>3}  {100 * sum(hits) / len(hits):>4.0f}%")
    return "\n".join(lines)


def _ordered(case: Case) -> list[str]:
    return sorted(case.spec.faults, key=lambda f: not FAULTS[f].blocks)


def summary(results: Sequence[Result]) -> dict[str, Any]:
    faulted = [r for r in results if r.case.spec.faults]
    healthy = [r for r in results if not r.case.spec.faults]
    multi = [r for r in faulted if len(r.case.spec.faults) > 1]
    return {
        "cases": len(results),
        "top1_accuracy": round(sum(r.correct for r in faulted) / len(faulted), 4)
        if faulted else None,
        "faults_missed": sum(not r.all_named for r in faulted),
        "healthy": len(healthy),
        "healthy_flagged": sum(r.healthy_flagged for r in healthy),
        "double_both_named": sum(r.all_named for r in multi) if multi else None,
        "errors": sum(bool(r.error) for r in results),
    }  # fmt: skip


def _case_json(r: Result) -> dict[str, Any]:
    spec = r.case.spec
    return {"index": r.case.index, "faults": list(spec.faults), "profile": spec.profile,
            "ike": list(r.case.spec.asa.ike), "traffic": r.case.spec.traffic,
            "role": r.case.derived.outcome.role, "state": r.case.derived.outcome.state,
            "expected": list(r.case.expected), "got": list(r.codes), "verdict": r.verdict,
            "correct": r.correct, "error": r.error}  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="number of tunnels (default 200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--double", action="store_true", help="two faults per tunnel")
    parser.add_argument("--healthy-share", type=float, default=0.1, metavar="F",
                        help="share of healthy controls (default 0.1)")  # fmt: skip
    parser.add_argument("--offline", action="store_true", help="no SSH: read the scenarios")
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--json", type=Path, metavar="FILE", help="write per-case results")
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    cases = generate(args.n, args.seed, double=args.double, healthy_share=args.healthy_share)
    results = run_offline(cases) if args.offline else run_ssh(cases, workers=args.workers)
    elapsed = time.perf_counter() - started
    mode = "offline" if args.offline else "over SSH"
    print(f"{len(cases)} tunnels, seed {args.seed}, {'double' if args.double else 'single'} "
          f"faults, {mode}, {elapsed:.1f} s\n")  # fmt: skip
    print(table(results))
    if args.double:
        print()
        print(per_fault(results))
    totals = summary(results)
    print()
    print(json.dumps(totals, indent=2))
    if args.show_failures:
        for r in results:
            if not r.correct or r.healthy_flagged:
                print(json.dumps(_case_json(r)))
    if args.json:
        args.json.write_text(
            json.dumps({"summary": totals, "cases": [_case_json(r) for r in results]}, indent=1)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

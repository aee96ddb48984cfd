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

What is not drawn, and why. We measure the diagnosis, not luck: a case is only scored when
the ASA's own outputs (state, log, configuration) can show every injected fault.

* Single faults: cases whose symptoms the ASA cannot tell apart from another fault
  (``Fault.ambiguous``, e.g. a PFS refusal heard by the quick mode initiator, which only
  gets "No proposal chosen (14)").
* Double faults (``_pair_ok``), on the same principle. A fault is *config-visible*
  (``Fault.config_visible``) when the ASA's running configuration shows it; it *blocks* on a
  tunnel when, alone, it leaves that tunnel without an IPsec SA - measured on the model per
  tunnel (``_blocks``), not read from the static ``Fault.blocks``: aggressive mode works
  between two generic peers configured for it but AWS refuses it at the first message, and
  an ASA without NAT exemption (``one_way_traffic``) never initiates, so with traffic from
  our side only nothing is negotiated at all.

  1. Conflicts (``_CONFLICTS``): two descriptions of one configuration item, so one
     overwrites the other or the pair is a device nobody could configure:
     ``one_way_traffic`` + ``peer_no_return``; ``overlapping_subnets`` +
     ``proxy_acl_not_mirror`` / ``acl_swapped`` (the crypto ACL); ``psk_mismatch`` +
     ``phase1_proposal_mismatch``; ``nat_in_tunnel`` + ``peer_no_return`` (the peer's NAT
     rule for tunnel traffic: missing, so nothing comes back and no 402116 can be logged,
     vs translating inside the tunnel); ``phase1_proposal_mismatch`` +
     ``aws_profile_deviation`` (both rewrite the ASA's IKE policy: applied in that order
     the deviation replaces the 3DES/MD5 policy and the mismatch is gone).
  2. A fault that is not config-visible must be *exercised*: the pair, applied in order,
     must show something different (role, state, failure point, SAs, which counters
     move, see ``_observed``) from the pair without it. Not drawn, e.g.: a blocking peer
     fault (DH group, transform set, crypto ACL, PSK) + ``one_way_traffic`` when neither
     side initiates (the blocking fault is never negotiated); AWS ``aggressive_mode`` +
     ``udp4500_blocked_with_nat`` or + ``psk_mismatch`` (AWS refuses aggressive mode
     before UDP/4500 or the PSK are used); ``nat_in_tunnel`` next to anything that keeps
     the SA down.
  3. A fault that blocks + a fault that is not config-visible: the second could only show
     in a negotiation that gets further than this one. Two blocking faults are therefore
     drawn only when both are config-visible (``crypto_map_not_bound`` +
     ``missing_keepalive_for_aws``, AWS ``aggressive_mode`` + ``crypto_map_not_bound``).
  4. Neither blocks alone but together no SA comes up: both must be config-visible.
  5. The two faults must expect two different codes (else "both named" means nothing).

Results (200 tunnels each, 10% healthy controls by default):

    seed  faults  mode     top-1   missed  healthy flagged  both named (double)
    1     single  offline  100%    0       0 / 22           -
    2     single  offline  100%    0       0 / 16           -
    3     single  offline  100%    0       0 / 23           -
    1     double  offline  100%    0       0 / 18           182 / 182
    2     double  offline  100%    0       0 / 23           177 / 177
    3     double  offline  100%    0       0 / 21           179 / 179
    1     single  SSH      100%    0       0 / 22           -          (16.7 s, 16 workers)
    1     double  SSH      100%    0       0 / 18           182 / 182  (17.2 s, 16 workers)

``--pasted FORM`` (offline) renders each case's outputs as a pasted terminal capture
(bench/pasted_forms.py: ``flattened``, ``cr``, ``failover``, ``markdown``, ``cut`` or ``all``),
reads it with ``--from-log``'s reader and scores top-1, "honest" (top-1 or ``unknown``) and
confidently wrong. Seeds 1 / 2, n=200: flattened, cr, failover and markdown 100% top-1, no
healthy tunnel flagged; cut 11.8% / 12.0% top-1, 79.8% / 76.6% honest, 36 / 43 confidently
wrong (the log naming the cause is cut away; the engine then names the observed symptom).

The SSH runs print the same tables as the offline runs of the same seed. Full run::

    for s in 1 2 3; do
      python bench/accuracy.py --n 200 --seed $s --offline
      python bench/accuracy.py --n 200 --seed $s --offline --double
    done
    python bench/accuracy.py --n 200 --seed 1 --double      # over SSH (mock fleet)
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

from bench.pasted_forms import FORMS as PASTED_FORMS  # noqa: E402
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
from mock_device.negotiation.model import Outcome  # noqa: E402
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


# Pairs that are not two faults but two descriptions of one configuration item: applying both
# overwrites one with the other, or describes a device no one could configure.
_CONFLICTS = {
    # the ASA's NAT exemption: missing (no traffic) vs present-but-one-way
    frozenset({"one_way_traffic", "peer_no_return"}),
    # the crypto ACL: overlapping proxies vs /16-vs-/24 or swapped lines
    frozenset({"overlapping_subnets", "proxy_acl_not_mirror"}),
    frozenset({"overlapping_subnets", "acl_swapped"}),
    # phase 1: a PSK mismatch is only reached once a policy is agreed
    frozenset({"psk_mismatch", "phase1_proposal_mismatch"}),
    # the peer's NAT rule for tunnel traffic: missing (nothing returns, so no 402116 can be
    # logged) vs translating inside the tunnel (402116)
    frozenset({"nat_in_tunnel", "peer_no_return"}),
    # the ASA's IKE policy: the AWS deviation rewrites the 3DES/MD5 policy of the mismatch
    # (or the mismatch rewrites the deviation's), so one of them is gone from the device
    frozenset({"phase1_proposal_mismatch", "aws_profile_deviation"}),
}


def _observed(outcome: Outcome) -> tuple[Any, ...]:
    """What the ASA shows of a negotiation: how far it got, from which side, what it
    established and which counters move (not the exact counts, which hash the fault names)."""
    return (outcome.role, outcome.ike, outcome.state, outcome.failure, outcome.nat_t,
            outcome.aggressive, outcome.pairs, outcome.rejected, outcome.peer_ikev2_attempt,
            outcome.aws_any_rejected, outcome.encaps > 0, outcome.decaps > 0,
            outcome.recv_errors > 0)  # fmt: skip


def _outcome(spec: ModelSpec, *faults: Fault) -> Outcome:
    return derive_spec(replace(spec, faults=tuple(f.name for f in faults))).outcome


def _blocks(spec: ModelSpec, fault: Fault) -> bool:
    """The fault alone leaves this tunnel without an IPsec SA: measured on the model, not
    read from ``Fault.blocks`` (a static default: aggressive mode works between two generic
    peers configured for it, but AWS refuses it at the first message; the ASA without NAT
    exemption never initiates, so with traffic only from our side nothing is negotiated)."""
    return not _outcome(spec, fault).pairs


def _exercised(spec: ModelSpec, pair: tuple[Fault, Fault], fault: Fault) -> bool:
    """``fault`` changes what the ASA shows (see _observed): the pair, applied in its order,
    against the pair without it."""
    rest = [f for f in pair if f is not fault]
    return _observed(_outcome(spec, *pair)) != _observed(_outcome(spec, *rest))


def _pair_ok(spec: ModelSpec, first: Fault, second: Fault) -> bool:
    """Both faults must stay observable together (rules in the module docstring)."""
    if frozenset({first.name, second.name}) in _CONFLICTS:
        return False  # rule 1
    first_blocks, second_blocks = _blocks(spec, first), _blocks(spec, second)
    for a, a_blocks, b in ((first, first_blocks, second), (second, second_blocks, first)):
        if not a.config_visible and not _exercised(spec, (first, second), a):
            return False  # rule 2
        if a_blocks and not b.config_visible:
            return False  # rule 3
    derived = derive_spec(replace(spec, faults=(first.name, second.name)))
    if not (first_blocks or second_blocks) and not derived.outcome.pairs:
        return first.config_visible and second.config_visible  # rule 4
    return len(set(derived.expected)) == 2  # rule 5


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
    from vpn_doctor.asa.commands import CONFIG_COMMANDS
    from vpn_doctor.cli.diagnose import DIAGNOSE_COMMANDS

    return tuple(dict.fromkeys([*DIAGNOSE_COMMANDS, *CONFIG_COMMANDS]))


def _diagnose(case: Case, outputs: dict[str, str]) -> Result:
    from vpn_doctor.diagnose.engine import diagnose
    from vpn_doctor.models import Snapshot
    from vpn_doctor.parse.device import parse_snapshot

    report = diagnose(parse_snapshot(Snapshot(outputs=outputs)), case.spec.peer.address)
    tunnel = report.tunnels[0] if report.tunnels else None
    if tunnel is None:
        return Result(case, (), "", error="no tunnel in the report")
    return Result(case, tuple(f.code for f in tunnel.findings), str(tunnel.verdict))


def run_offline(cases: Sequence[Case], keep: list[dict[str, str]] | None = None) -> list[Result]:
    """Same outputs as over SSH, read straight from each scenario (no network); ``keep``
    receives each case's outputs (the pasted forms render them)."""
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
        if keep is not None:
            keep.append(outputs)
            continue
        results.append(_diagnose(case, outputs))
    return results


def run_pasted(cases: Sequence[Case], form: str) -> list[Result]:
    """The offline outputs rendered as a pasted terminal capture (bench/pasted_forms.py),
    read back with ``diagnose --from-log``'s reader, then parsed and diagnosed."""
    from bench.pasted_forms import capture
    from vpn_doctor.collect.terminal_log import parse_terminal_log
    from vpn_doctor.diagnose.engine import diagnose
    from vpn_doctor.parse.device import parse_snapshot

    offline_outputs: list[dict[str, str]] = []
    run_offline(cases, keep=offline_outputs)
    results = []
    for case, outputs in zip(cases, offline_outputs, strict=True):
        text = capture(f"fw{case.index:04d}", outputs, form, seed=case.index)
        try:
            snapshot = parse_terminal_log(text, source=f"pasted:{form}")
        except Exception as exc:  # a refusal is a result too (scored wrong)
            results.append(Result(case, (), "", error=f"{type(exc).__name__}: {exc}"))
            continue
        report = diagnose(parse_snapshot(snapshot), case.spec.peer.address)
        tunnel = report.tunnels[0] if report.tunnels else None
        if tunnel is None:
            results.append(Result(case, (), "", error="no tunnel in the report"))
            continue
        codes = tuple(f.code for f in tunnel.findings)
        results.append(Result(case, codes, str(tunnel.verdict)))
    return results


def pasted_summary(results: Sequence[Result]) -> dict[str, Any]:
    """Right (top-1), honest (right, or `unknown`), confidently wrong, healthy flagged."""
    faulted = [r for r in results if r.case.spec.faults]
    healthy = [r for r in results if not r.case.spec.faults]
    honest = [r for r in faulted if r.correct or r.verdict == "unknown"]
    return {
        "faulted": len(faulted),
        "top1_correct": sum(r.correct for r in faulted),
        "honest": len(honest),
        "confidently_wrong": len(faulted) - len(honest),
        "healthy": len(healthy),
        "healthy_flagged_not_unknown": sum(
            r.healthy_flagged and r.verdict != "unknown" for r in healthy
        ),
        "errors": sum(bool(r.error) for r in results),
    }


def run_ssh(cases: Sequence[Case], workers: int = 16,
            progress: Callable[[int], None] | None = None) -> list[Result]:  # fmt: skip
    """Serve every case from one MockFleet and run driver + collect + diagnose against it."""
    from mock_device import MockFleet
    from vpn_doctor.collect.collector import collect
    from vpn_doctor.collect.driver import AsaSession, ConnectionSettings
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
    parser.add_argument("--pasted", metavar="FORM", choices=[*PASTED_FORMS, "all"],
                        help="offline, rendered as a pasted capture: "
                             f"{', '.join(PASTED_FORMS)} or all")  # fmt: skip
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--json", type=Path, metavar="FILE", help="write per-case results")
    parser.add_argument("--show-failures", action="store_true")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    cases = generate(args.n, args.seed, double=args.double, healthy_share=args.healthy_share)
    if args.pasted:
        return _main_pasted(args, cases, started)
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


def _main_pasted(args: argparse.Namespace, cases: list[Case], started: float) -> int:
    forms = PASTED_FORMS if args.pasted == "all" else (args.pasted,)
    print(f"{len(cases)} tunnels, seed {args.seed}, {'double' if args.double else 'single'} "
          "faults, offline, pasted forms\n")  # fmt: skip
    print("| form | faulted | top-1 | honest (top-1 or unknown) | confidently wrong "
          "| healthy flagged | errors |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    all_results: dict[str, list[Result]] = {}
    for form in forms:
        results = run_pasted(cases, form)
        all_results[form] = results
        s = pasted_summary(results)
        n = s["faulted"] or 1
        print(f"| {form} | {s['faulted']} | {100 * s['top1_correct'] / n:.1f}% "
              f"| {100 * s['honest'] / n:.1f}% | {s['confidently_wrong']} "
              f"| {s['healthy_flagged_not_unknown']} / {s['healthy']} "
              f"| {s['errors']} |")  # fmt: skip
        if args.show_failures:
            for r in results:
                if not (r.correct or r.verdict == "unknown") and r.case.spec.faults:
                    print(f"  {form}: {json.dumps(_case_json(r))}")
    print(f"\n{time.perf_counter() - started:.1f} s")
    if args.json:
        args.json.write_text(json.dumps({
            form: {"summary": pasted_summary(rs), "cases": [_case_json(r) for r in rs]}
            for form, rs in all_results.items()}, indent=1))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

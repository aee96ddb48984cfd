"""Guided troubleshooting (issue 18): after the first diagnosis, offer the next read-only step.

On a terminal, ``diagnose HOST`` does not stop at the first answer when the data says what
would settle it (diagnose/next_step.py): it says why, lists the exact commands (and the undo
for a debug), asks y/N, runs the step on the SAME session (the debug capture of
collect/debug, the sampler of cli/sampling.py, the collector for a show), and prints what
changed. It stops when the cause is decided, nothing more is offered, ``--max-steps`` is
reached or the engineer says no. ``--no-input`` (or a stdin/stdout that is not a terminal)
never asks: today's non-interactive run. ``--yes`` takes every step offered.

Every question, answer and step is kept (:class:`GuideRecord`); with ``--save DIR`` it is
written next to the snapshot as ``steps.yaml`` and ``transcript.md`` — the snapshot itself
holds every output, debug line and sample, so ``diagnose --snapshot DIR`` replays the end.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vpn_doctor.errors import InputError, UsageError

if TYPE_CHECKING:  # the CLI starts fast: the engine is imported when a guided run starts
    from vpn_doctor.diagnose.findings import DiagnosisReport
    from vpn_doctor.diagnose.next_step import Step
    from vpn_doctor.diagnose.playbook import PlaybookSet
    from vpn_doctor.models import Snapshot

DEFAULT_MAX_STEPS = 3
DEFAULT_STEP_SECONDS = 30.0


def add_guide_arguments(parser: argparse.ArgumentParser) -> None:
    """``--no-input``, ``--yes``, ``--max-steps N``, ``--step-seconds S``."""
    group = parser.add_argument_group("guided troubleshooting (live, on a terminal)")
    group.add_argument(
        "--no-input",
        action="store_true",
        help="never ask: print the first diagnosis only (the default when stdin/stdout are "
        "not a terminal)",
    )
    group.add_argument(
        "--yes",
        action="store_true",
        help="take every proposed read-only step without asking (bounded by --max-steps; "
        "a debug is still conditioned on the peer)",
    )
    group.add_argument(
        "--max-steps",
        type=int,
        default=DEFAULT_MAX_STEPS,
        metavar="N",
        help=f"at most N guided steps (default {DEFAULT_MAX_STEPS})",
    )
    group.add_argument(
        "--step-seconds",
        type=float,
        default=DEFAULT_STEP_SECONDS,
        metavar="S",
        help=f"how long a guided debug runs, and the wait before a second sample "
        f"(default {DEFAULT_STEP_SECONDS:g})",
    )


def guide_wanted(args: argparse.Namespace) -> bool:
    """Guide only a live run in the default (rich/text) format, never with --no-input, and
    only on a terminal unless --yes says so (then nobody is asked)."""
    if getattr(args, "no_input", True) or not getattr(args, "host", None):
        return False
    if getattr(args, "format", "rich") != "rich":
        return False
    if getattr(args, "yes", False):
        return True
    return sys.stdin.isatty() and sys.stdout.isatty()


def check_guide_request(args: argparse.Namespace) -> None:
    if not 0 <= getattr(args, "max_steps", DEFAULT_MAX_STEPS) <= 10:
        raise UsageError("--max-steps must be 0..10")
    if not 1 <= getattr(args, "step_seconds", DEFAULT_STEP_SECONDS) <= 600:
        raise UsageError("--step-seconds must be 1..600")


@dataclass
class StepRecord:
    """One offered step as it happened: what, why, the commands, the answer, the outcome."""

    kind: str
    peer: str
    reason: str
    commands: list[str]
    undo: list[str]
    answer: str  # "yes" | "no" | "auto"
    before: str = ""
    after: str = ""
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v or k in ("answer", "commands")}


@dataclass
class GuideRecord:
    """The whole guided session: every printed line and every step."""

    lines: list[str] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)
    first: str = ""
    final: str = ""
    ended: str = ""
    typed_profile: dict[str, Any] | None = None  # saved as peer-profile.yaml for replay

    def say(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.extend(text.splitlines() or [""])

    def write(self, directory: Path) -> None:
        """``steps.yaml`` and ``transcript.md`` next to the snapshot files."""
        import yaml

        directory.mkdir(parents=True, exist_ok=True)
        data = {
            "first": self.first,
            "final": self.final,
            "ended": self.ended,
            "steps": [s.to_dict() for s in self.steps],
        }
        if self.typed_profile is not None:  # replay: diagnose --snapshot DIR --profile DIR/...
            (directory / "peer-profile.yaml").write_text(
                yaml.safe_dump(self.typed_profile, sort_keys=False), encoding="utf-8"
            )
        (directory / "steps.yaml").write_text(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        md = ["# vpn-doctor guided diagnosis", ""]
        md += [f"- first: `{self.first}`", f"- final: `{self.final}`", f"- ended: {self.ended}"]
        for number, step in enumerate(self.steps, 1):
            md += ["", f"## Step {number}: {step.kind} ({step.peer}) - answer: {step.answer}", ""]
            md += [f"Why: {step.reason}", "", "Commands:", ""]
            md += [f"    {c}" for c in step.commands + [f"(undo) {u}" for u in step.undo]]
            if step.before or step.after:
                md += ["", f"Result: `{step.before}` -> `{step.after}`"]
            if step.error:
                md += ["", f"Error: {step.error}"]
        md += ["", "## Transcript", "", "```text", *self.lines, "```", ""]
        (directory / "transcript.md").write_text("\n".join(md), encoding="utf-8")


@dataclass
class GuideSession:
    """What the loop needs from the caller: the open session and how to (re)diagnose."""

    args: argparse.Namespace
    session: Any
    settings: Any
    peer: str | None
    playbooks: PlaybookSet
    diagnose: Callable[[Snapshot, Any], DiagnosisReport]
    profile: Any = None  # the peer's expected settings (--profile, or chosen in a step)
    ask: Callable[[str], str] = input
    record: GuideRecord = field(default_factory=GuideRecord)
    typed_profile: dict[str, Any] | None = None  # values the engineer typed (saved)


def describe(report: DiagnosisReport, peer: str | None) -> str:
    """``203.0.113.9: down IKE_AUTH_FAILED (alternatives: IPSEC_PFS_MISMATCH)``."""
    from vpn_doctor.diagnose.next_step import first_finding, open_tunnel

    tunnel = open_tunnel(report, peer)
    first = first_finding(tunnel)
    if tunnel is None:
        return "no tunnel found"
    text = f"{tunnel.peer}: {tunnel.verdict} {first.code if first else '(no finding)'}"
    if first is not None and first.alternatives:
        text += f" (alternatives: {', '.join(first.alternatives)})"
    return text


def step_commands(
    step: Step, snapshot: Snapshot, args: argparse.Namespace
) -> tuple[list[str], list[str]]:
    """The exact commands a step sends, and the undo (debug only)."""
    from vpn_doctor.asa.commands import sample_commands
    from vpn_doctor.cli.diagnose import packet_tracer_commands
    from vpn_doctor.collect.debug.capture import DebugCaptureOptions, debug_commands, parse_version
    from vpn_doctor.collect.debug.cleanup import NO_CONDITION, NO_MONITOR, UNDEBUG_ALL

    if step.kind == "show":
        return [step.command], []
    if step.kind == "profile":
        return [], []
    if step.kind == "samples":
        logging = [c for c in snapshot.outputs if c.startswith("show logging")]
        return [*sample_commands(step.peer), *logging], []
    version = parse_version(snapshot.device.version or snapshot.outputs.get("show version", ""))
    ike = DebugCaptureOptions(peer=step.peer, seconds=1.0).ike_versions
    commands = [f"debug crypto condition peer {step.peer}", "terminal monitor"]
    commands += debug_commands(version, ike)
    commands += packet_tracer_commands(snapshot, step.peer)[:1]
    return commands, [UNDEBUG_ALL, NO_CONDITION, NO_MONITOR]


def run_step(guide: GuideSession, step: Step, snapshot: Snapshot) -> Snapshot:
    """Run one step on the open session with the usual safety (allow-list, debug undone)."""
    from vpn_doctor.cli.debug_options import AUTO_TRIGGER
    from vpn_doctor.cli.diagnose import _capture_debug, _more
    from vpn_doctor.cli.sampling import sample_session

    args = guide.args
    if step.kind == "show":
        return _more(guide.session, snapshot, [step.command])
    if step.kind == "samples":
        return sample_session(guide.session, snapshot, step.peer, 2, args.step_seconds)
    debug_args = argparse.Namespace(**vars(args))
    debug_args.debug, debug_args.trigger = args.step_seconds, AUTO_TRIGGER
    debug_args.peer, debug_args.debug_all_peers = step.peer, False  # always conditioned
    return _capture_debug(debug_args, guide.session, guide.settings, snapshot, step.peer)


def _answer(guide: GuideSession, step_count: int, step: Step) -> str:
    if step.kind == "profile":
        from vpn_doctor.diagnose.profiles import available_profiles

        names = ", ".join(available_profiles())
        try:
            reply = guide.ask(
                f"Compare with which peer profile ({names}), 'type' to enter its values, or N: "
            ).strip()
        except (EOFError, KeyboardInterrupt):  # Ctrl-D / Ctrl-C at a question: stop
            print()
            return "no"
        return reply if reply and reply.lower() not in ("n", "no") else "no"
    if guide.args.yes:
        return "auto"
    try:
        reply = guide.ask(f"Run step {step_count}? [y/N] ")
    except (EOFError, KeyboardInterrupt):  # Ctrl-D / Ctrl-C at a question: stop
        print()
        return "no"
    return "yes" if reply.strip().lower() in ("y", "yes") else "no"


def _done_keys(snapshot: Snapshot, record: GuideRecord) -> set[str]:
    done = {f"{s.kind}:{s.commands[0]}" if s.kind == "show" else s.kind for s in record.steps}
    done |= {f"show:{command}" for command in snapshot.outputs}
    if snapshot.samples:
        done.add("samples")
    if snapshot.debug_lines:
        done.add("debug")
    return done


def _done(guide: GuideSession, snapshot: Snapshot) -> set[str]:
    done = _done_keys(snapshot, guide.record)
    if guide.args.yes or guide.profile is not None:  # nobody to choose / already compared
        done.add("profile")
    return done


def run_guide(guide: GuideSession, snapshot: Snapshot) -> Snapshot:
    """The loop: diagnose, offer the best step, run it if accepted, show what changed."""
    from vpn_doctor.diagnose.next_step import choose_step, is_decided
    from vpn_doctor.report.text_view import render_text

    record, args = guide.record, guide.args
    report = guide.diagnose(snapshot, guide.profile)
    record.first = record.final = describe(report, guide.peer)
    record.say("First diagnosis:")
    record.say(render_text(report).rstrip())
    while True:
        step = choose_step(report, guide.playbooks, peer=guide.peer, done=_done(guide, snapshot))
        if step is None:
            record.ended = (
                "decided"
                if is_decided(report, guide.peer)
                else "nothing more the tool can run for what is open"
            )
            break
        if len(record.steps) >= args.max_steps:
            record.ended = f"--max-steps {args.max_steps} reached"
            break
        commands, undo = step_commands(step, snapshot, args)
        record.say("")
        record.say(f"Next step ({step.kind}, peer {step.peer}): {step.reason}")
        record.say("It sends (read-only):")
        for command in commands:
            record.say(f"  {command}")
        if not commands:
            record.say("  (nothing: the comparison is offline)")
        if undo:
            record.say("and undoes the debug with:")
            for command in undo:
                record.say(f"  {command}")
        answer = _answer(guide, len(record.steps) + 1, step)
        entry = StepRecord(step.kind, step.peer, step.reason, commands, undo, answer)
        record.steps.append(entry)
        record.lines.append(f"answer: {answer}")
        if answer == "no":
            record.ended = "stopped by the engineer"
            break
        entry.before = describe(report, guide.peer)
        if step.kind == "profile":
            if not _choose_profile(guide, entry):
                continue
        else:
            snapshot = run_step(guide, step, snapshot)
        previous = report
        report = guide.diagnose(snapshot, guide.profile)
        entry.after = record.final = describe(report, guide.peer)
        record.say(f"Changed: {entry.before} -> {entry.after}")
        for line in _new_findings(previous, report, guide.peer):
            record.say(f"  new: {line}")
    record.say(f"Guided run ended: {record.ended}; final: {record.final}")
    record.say("")
    return snapshot


def guide_live(
    args: argparse.Namespace,
    session: Any,
    settings: Any,
    snapshot: Snapshot,
    peer: str | None,
    profile: Any = None,
) -> tuple[Snapshot, GuideRecord]:
    """The hook `diagnose` calls on the open session after its collection (cli/diagnose.py):
    diagnose as run_diagnose will, then run the loop. Returns the grown snapshot (every
    step's outputs, debug lines and samples) and the record for --save."""
    from vpn_doctor.diagnose.engine import default_playbooks, diagnose
    from vpn_doctor.diagnose.playbook import load_playbooks
    from vpn_doctor.parse.device import parse_snapshot

    playbooks = load_playbooks(args.playbooks) if args.playbooks else default_playbooks()

    def again(current: Snapshot, chosen: Any) -> DiagnosisReport:
        state = parse_snapshot(current)
        return diagnose(state, peer, profile=chosen, debug_peer=peer, playbooks=playbooks)

    guide = GuideSession(args, session, settings, peer, playbooks, again, profile=profile)
    snapshot = run_guide(guide, snapshot)
    guide.record.typed_profile = guide.typed_profile
    return snapshot, guide.record


#: What the engineer is asked for a typed peer profile: (prompt, section, key).
TYPED_FIELDS = (
    ("peer phase 1 encryption (e.g. aes256)", "phase1", "encryption"),
    ("peer phase 1 hash/integrity (e.g. sha256)", "phase1", "hash"),
    ("peer phase 1 DH group (e.g. 14)", "phase1", "dh_group"),
    ("peer phase 2 encryption (e.g. aes256)", "phase2", "encryption"),
    ("peer phase 2 integrity (e.g. sha256)", "phase2", "integrity"),
    ("peer phase 2 PFS group (e.g. 14, or none)", "phase2", "pfs_group"),
)


def _choose_profile(guide: GuideSession, entry: StepRecord) -> bool:
    """Load the shipped profile the engineer named, or build one from typed values
    (validated like a profile file). False (and a note) when it cannot be used."""
    from vpn_doctor.diagnose.profiles import PeerProfile, load_profile

    try:
        if entry.answer.lower() == "type":
            data: dict[str, Any] = {"name": "typed", "phase1": {}, "phase2": {}}
            for prompt, section, key in TYPED_FIELDS:
                value = guide.ask(f"{prompt}: ").strip()
                if value:
                    items = [v.strip() for v in value.replace(",", " ").split()]
                    data[section][key] = [int(v) if v.isdigit() else v for v in items]
                    guide.record.lines.append(f"{prompt}: {value}")
            guide.profile = PeerProfile.from_mapping(data, "typed values")
            guide.typed_profile = data
        else:
            guide.profile = load_profile(entry.answer)
    except (InputError, EOFError, KeyboardInterrupt) as exc:
        entry.error = str(exc) or "no answer"
        guide.record.say(f"Cannot compare: {entry.error}")
        return False
    guide.args.guided_profile = guide.profile  # the final report uses it too
    guide.record.say(f"Comparing with the peer profile {guide.profile.name!r}")
    return True


def _new_findings(before: DiagnosisReport, after: DiagnosisReport, peer: str | None) -> list[str]:
    """Findings of the open tunnel that the step added (code: title)."""
    from vpn_doctor.diagnose.next_step import open_tunnel

    old, new = open_tunnel(before, peer), open_tunnel(after, peer)
    seen = {(f.code, f.title) for f in old.findings} if old else set()
    return [
        f"{f.code}: {f.title}"
        for f in (new.findings if new else ())
        if (f.code, f.title) not in seen
    ]

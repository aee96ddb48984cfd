"""`show vpn-sessiondb detail l2l` -> VpnSession records with IKE / IPsec sub-sessions.

The template emits one flat record per header line (``Connection :``, ``IKEv1:``,
``IPsec:``...); here they are grouped back into sessions. Why this command matters: it is
the only place that shows every negotiated SA pair of a peer side by side (AWS wants exactly
one), with bytes both ways; so a session cut off mid-way must say so (PARTIAL), not look like
a peer with one SA pair less.

Note on counts: ``IPsec Tunnels: 5`` can be larger than the number of ``IPsec:`` blocks
shown on real devices (see tests/data fixtures from ntc-templates), so the counts are only
used to catch a session whose sub-sessions are missing altogether.

Speed: the template is not run through ``textfsm.TextFSM.ParseText`` but through
:func:`_compile`/:func:`_run`, which give the same rows ~5x faster (one C-level regex match per
line instead of one Python call per rule tried, and no per-record walk over 33 Value objects;
5,000 tunnels is ~170k lines and 15k records). TextFSM still reads the template, so the
template stays the one definition of the grammar; tests/test_parsing_sessiondb_fsm.py checks
both runners give identical rows on every fixture and on mangled outputs.
"""

from __future__ import annotations

import dataclasses
import io
import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import textfsm

from vpn_doctor.asa.commands import SHOW_SESSIONDB_L2L
from vpn_doctor.models import IkeSubsession, IpsecSubsession, ParseResult, VpnSession
from vpn_doctor.parse.textfsm_runner import (
    Prepared,
    Row,
    budget_summary,
    finish,
    guarded_prepare,
    iter_segments,
    new_budget,
    safely,
    segment,
    to_int,
    unknown_line_warnings,
)
from vpn_doctor.resources import templates_dir

TEMPLATE = "cisco_asa_show_vpn-sessiondb_detail_l2l.textfsm"


# --- The template, compiled ---------------------------------------------------------------
#
# TextFSM semantics kept exactly (for the subset this template uses, checked in _compile):
# the first rule of the state whose regex matches the line wins; its values are assigned
# (a group that did not take part assigns None, a List appends); Record appends the current
# record unless every value is None or an empty list (None then reads ''), and starts a new
# one; Continue goes on with the rules after it on the same line; then the state changes.
# Each state's rules[k:] become ONE regex, ``(?P<r0>rule0)|(?P<r1>rule1)|...``: Python tries
# alternatives in order and each is anchored on its own, so the alternative that matches is
# the first rule that matches, with the same groups; ``lastindex`` is that rule's outer group.


@dataclass(frozen=True)
class _Rule:
    assign: tuple[tuple[int, str, bool], ...]  # (group in the state regex, value, is List)
    record: bool
    next_rule: int | None  # Continue: where matching resumes on the same line
    new_state: str


_Entry = tuple["re.Pattern[str]", dict[int, _Rule]]


@dataclass(frozen=True)
class _Fsm:
    header: tuple[str, ...]
    lists: frozenset[str]
    states: dict[str, dict[int, _Entry]]  # state -> first rule index -> (regex, rules)


@cache
def _compile(template: str) -> _Fsm:
    """Read ``templates/<template>`` with TextFSM; one regex per state (and per Continue)."""
    source = (templates_dir() / template).read_text(encoding="utf-8")
    fsm = textfsm.TextFSM(io.StringIO(source))
    lists: set[str] = set()
    for value in fsm.values:
        options = set(value.OptionNames())
        if options - {"List"} or "(?P<" in value.regex:
            raise ValueError(f"{template}: Value {value.name}: options/nested groups unsupported")
        if options:
            lists.add(value.name)
    if "EOF" in fsm.states or "End" in fsm.states:
        raise ValueError(f"{template}: explicit End/EOF states unsupported")
    for rules in fsm.states.values():
        for rule in rules:
            if (
                rule.line_op not in ("", "Next", "Continue")
                or rule.record_op not in ("", "NoRecord", "Record")
                or rule.new_state in ("End", "EOF")
            ):
                raise ValueError(f"{template}: rule line {rule.line_num}: operation unsupported")

    states: dict[str, dict[int, _Entry]] = {}
    for name, rules in fsm.states.items():
        starts = {0} | {i + 1 for i, rule in enumerate(rules) if rule.line_op == "Continue"}
        states[name] = {start: _state_regex(fsm, rules, start, lists) for start in starts}
    return _Fsm(header=tuple(fsm.header), lists=frozenset(lists), states=states)


def _state_regex(fsm: Any, rules: list[Any], start: int, lists: set[str]) -> _Entry:
    """``rules[start:]`` as one alternation; rule i's group is r<i>, its value X is v<i>_X."""
    parts = []
    for i in range(start, len(rules)):
        groups = {
            value.name: value.template.replace(f"(?P<{value.name}>", f"(?P<v{i}_{value.name}>", 1)
            for value in fsm.values
        }
        parts.append(f"(?P<r{i}>{string.Template(rules[i].match).substitute(groups)})")
    regex = re.compile("|".join(parts))
    table: dict[int, _Rule] = {}
    for i in range(start, len(rules)):
        prefix = f"v{i}_"
        assign = sorted(
            (index, group[len(prefix) :], group[len(prefix) :] in lists)
            for group, index in regex.groupindex.items()
            if group.startswith(prefix)
        )  # group order = the order TextFSM assigns in (matched.groupdict())
        rule = rules[i]
        table[regex.groupindex[f"r{i}"]] = _Rule(
            assign=tuple(assign),
            record=rule.record_op == "Record",
            next_rule=i + 1 if rule.line_op == "Continue" else None,
            new_state=rule.new_state,
        )
    return regex, table


def _run(fsm: _Fsm, lines: Iterable[str]) -> Iterator[Row]:
    """The rows ``run_template`` gives for ``lines`` joined, yielded as they are recorded.

    ``lines`` must hold no line separator (prepare()'s lines do not); the blank lines that
    joining and re-splitting would drop at the end are no-ops in every state of the template.
    """
    blank: Row = dict.fromkeys(fsm.header, "")
    lists = fsm.lists
    current: dict[str, Any] = {}

    def finished() -> Row | None:
        if all(value is None or value == [] for value in current.values()):
            return None  # TextFSM drops an empty record and keeps the (empty) current one
        row = dict(blank)
        for name in lists:
            row[name] = []
        for name, value in current.items():
            row[name] = "" if value is None else value
        return row

    states = fsm.states
    entries = states["Start"]
    for line in lines:
        regex, table = entries[0]
        while True:
            match = regex.match(line)
            if match is None:
                break
            rule = table[match.lastindex or 0]
            for index, name, is_list in rule.assign:
                if is_list:
                    current.setdefault(name, []).append(match.group(index))
                else:
                    current[name] = match.group(index)
            if rule.record:
                row = finished()
                if row is not None:
                    yield row
                    current = {}
            if rule.next_rule is not None:
                regex, table = entries[rule.next_rule]
                continue
            if rule.new_state:
                entries = states[rule.new_state]
            break
    row = finished()  # TextFSM's implicit Record at the end of the text
    if row is not None:
        yield row


# Exactly the lines on which the template captures SESSION or SUBKIND (block k <-> record k).
_HEADER = re.compile(r"^\s*(?:Connection\s*:.*|[A-Za-z][A-Za-z0-9-]*:\s*)$")
_STOP = re.compile(r"^\s*Session Type:")


def _maybe_header(line: str) -> bool:
    """Header lines end with ':' (sub-sessions) or name the Connection; stops: Session Type."""
    return line.endswith(":") or "Connection" in line or "Session Type" in line


_COUNT = re.compile(r"(\S+) (?:Tunnels|Sessions): (\d+)")


def _family(kind: str) -> str:
    low = kind.lower()
    if low.startswith("ike"):
        return "ike"
    if low.startswith("ipsec"):
        return "ipsec"
    return low


@dataclass
class _Session:
    row: Row
    lines: tuple[str, ...]
    ike: list[IkeSubsession] = field(default_factory=list)
    ipsec: list[IpsecSubsession] = field(default_factory=list)
    clean: bool = True  # no unrecognised line in the session header


def _ike(row: Row, lines: tuple[str, ...]) -> IkeSubsession:
    kind = row["SUBKIND"]
    version = 2 if kind.upper() == "IKEV2" else 1  # "IKE:" (pre-8.4) is IKEv1 only
    auth = row["AUTH_MODE"] or row["LOC_AUTH"]
    return IkeSubsession(
        session_id=row["TUNNEL_ID"],
        udp_src_port=to_int(row["UDP_SRC"]),
        udp_dst_port=to_int(row["UDP_DST"]),
        mode=row["NEG_MODE"],
        auth_mode=auth,
        encryption=row["ENCRYPTION"],
        hashing=row["HASHING"],
        dh_group=row["DH_GROUP"],
        rekey_interval=to_int(row["REKEY_INT"]),
        rekey_left=to_int(row["REKEY_LEFT"]),
        lines=lines,
        ike_version=version,
        peer_auth_mode=row["REM_AUTH"],
        prf=row["PRF"],
    )


def _ipsec(row: Row, lines: tuple[str, ...]) -> IpsecSubsession:
    encapsulation = " ".join(row["ENCAPSULATION"].split())
    return IpsecSubsession(
        session_id=row["TUNNEL_ID"],
        local_addr=row["LOCAL_ADDR"],
        remote_addr=row["REMOTE_ADDR"],
        encryption=row["ENCRYPTION"],
        hashing=row["HASHING"],
        encapsulation=encapsulation,
        pfs_group=row["PFS_GROUP"],
        rekey_interval=to_int(row["REKEY_INT"]),
        rekey_left=to_int(row["REKEY_LEFT"]),
        bytes_tx=to_int(row["BYTES_TX"]) or 0,
        bytes_rx=to_int(row["BYTES_RX"]) or 0,
        pkts_tx=to_int(row["PKTS_TX"]) or 0,
        pkts_rx=to_int(row["PKTS_RX"]) or 0,
        lines=lines,
        nat_t="natt" in row["SUBKIND"].lower() or "NAT-T" in encapsulation,
    )


def _missing(row: Row, required: dict[str, str]) -> list[str]:
    return [label for key, label in required.items() if not row[key]]


_SESSION_REQUIRED = {"INDEX": "Index", "PROTOCOL": "Protocol", "DURATION": "Duration"}
_IKE_REQUIRED = {"TUNNEL_ID": "Tunnel ID", "ENCRYPTION": "Encryption", "REKEY_INT": "Rekey Int"}
_IPSEC_REQUIRED = {
    "LOCAL_ADDR": "Local Addr",
    "REMOTE_ADDR": "Remote Addr",
    "BYTES_TX": "Bytes Tx",
    "PKTS_TX": "Pkts Tx",
}


def _finish_session(session: _Session, *, last: bool) -> tuple[VpnSession, list[str]]:
    row = session.row
    name = row["CONNECTION"].strip() or row["IP_ADDR"] or "?"
    context = f"session {name}: "
    warnings: list[str] = []
    missing = _missing(row, _SESSION_REQUIRED)
    if missing:
        warnings.append(f"{context}incomplete (output cut?), missing: {', '.join(missing)}")
    declared: dict[str, int] = {}
    for text in row["COUNTS"]:
        for kind, count in _COUNT.findall(text):
            family = _family(kind)
            declared[family] = declared.get(family, 0) + int(count)
    shown = {"ike": len(session.ike), "ipsec": len(session.ipsec)}
    for family, count in declared.items():
        if family not in shown:
            continue
        if count and not shown[family]:
            warnings.append(
                f"{context}announces {count} {family.upper()} tunnel(s) but shows none: output cut?"
            )
        elif last and shown[family] < count:
            # Devices may count more tunnels than they list (see the module docstring), but on
            # the last session of the output a shortfall is the usual sign of a cut capture.
            warnings.append(
                f"{context}announces {count} {family.upper()} tunnel(s), shows {shown[family]} "
                "and is the last session of the output: cut?"
            )
    subs_complete = all(sub.complete for sub in session.ike) and all(
        sub.complete for sub in session.ipsec
    )
    record = VpnSession(
        connection=row["CONNECTION"].strip(),
        index=to_int(row["INDEX"]),
        ip_addr=row["IP_ADDR"],
        protocol=row["PROTOCOL"],
        encryption=row["ENCRYPTION"],
        hashing=row["HASHING"],
        bytes_tx=to_int(row["BYTES_TX"]) or 0,
        bytes_rx=to_int(row["BYTES_RX"]) or 0,
        login_time=row["LOGIN_TIME"],
        duration=row["DURATION"],
        ike=tuple(session.ike),
        ipsec=tuple(session.ipsec),
        lines=session.lines,
        complete=not warnings and subs_complete and session.clean,
    )
    return record, warnings


def parse_sessiondb_l2l(text: str, command: str = SHOW_SESSIONDB_L2L) -> ParseResult[VpnSession]:
    """Parse L2L sessions of any ASA layout; unknown lines warn (PARTIAL), never raise."""
    return safely(command, lambda: _parse(text, command))


class _Drift(Exception):
    """The template and _HEADER disagree on which lines are headers (a bug in this module)."""


def _parse(text: str, command: str) -> ParseResult[VpnSession]:
    prepared, early = guarded_prepare(text, command)
    if early is not None:
        return early
    fsm = _compile(TEMPLATE)
    lines = prepared.lines
    try:
        # Rows and blocks are consumed as they come: no list of 15k rows, nor of their device
        # lines, stays alive (on 5,000 tunnels that halves the garbage collector's work).
        blocks = iter_segments(lines, _HEADER, _STOP, _maybe_header)
        return _build(command, prepared, _run(fsm, lines), blocks, drift="")
    except _Drift:
        rows = list(_run(fsm, lines))
        header_rows = sum(1 for row in rows if row["SESSION"] or row["SUBKIND"])
        count = len(segment(lines, _HEADER, _STOP, _maybe_header))
        drift = f"internal: {header_rows} records but {count} blocks"
        return _build(command, prepared, rows, None, drift=drift)


def _build(
    command: str,
    prepared: Prepared,
    rows: Iterable[Row],
    blocks: Iterator[list[str]] | None,
    *,
    drift: str,
) -> ParseResult[VpnSession]:
    """Group the rows into sessions; block *k* is the device lines of the *k*-th header row.

    ``blocks`` None (after a _Drift): every record gets no lines, and ``drift`` says why.
    """
    warnings = list(prepared.warnings)
    degraded = prepared.degraded
    if drift:
        warnings.append(drift)

    budget = new_budget()
    records: list[VpnSession] = []
    session_warnings: list[str] = []  # reported after the row warnings, in session order
    current: _Session | None = None
    empty_marker = False
    recognised = False
    for row in rows:
        empty_marker = empty_marker or bool(row["NO_SESSIONS"])
        recognised = recognised or bool(row["SESSION_TYPE"])
        context = ""
        lines: tuple[str, ...] = ()
        missing: list[str] = []
        if blocks is not None and (row["SESSION"] or row["SUBKIND"]):
            block = next(blocks, None)
            if block is None:
                raise _Drift
            lines = tuple(block)
        if row["SESSION"]:
            if current is not None:
                degraded = _close(current, False, records, session_warnings) or degraded
            current = _Session(row=row, lines=lines, clean=not row["UNKNOWN"])
            context = f"session {row['CONNECTION'].strip() or row['IP_ADDR'] or '?'}: "
        elif row["SUBKIND"]:
            kind = row["SUBKIND"]
            family = _family(kind)
            context = f"{kind} {row['TUNNEL_ID'] or '?'}: "
            if current is None:
                degraded = True
                warnings.append(f"{context}sub-session before any 'Connection' line (output cut?)")
            elif family == "ike":
                missing = _missing(row, _IKE_REQUIRED)
                ike = _ike(row, lines)
                if missing or row["UNKNOWN"]:
                    ike = dataclasses.replace(ike, complete=False)
                current.ike.append(ike)
            elif family == "ipsec":
                missing = _missing(row, _IPSEC_REQUIRED)
                ipsec = _ipsec(row, lines)
                if missing or row["UNKNOWN"]:
                    ipsec = dataclasses.replace(ipsec, complete=False)
                current.ipsec.append(ipsec)
            elif family != "nac":
                degraded = True
                warnings.append(f"sub-session kind '{kind}:' is not modelled; its lines skipped")
            if current is not None and family in ("ike", "ipsec") and missing:
                degraded = True
                warnings.append(
                    f"{context}incomplete sub-session (output cut?), missing: {', '.join(missing)}"
                )
        if row["UNKNOWN"]:
            degraded = True
            warnings += unknown_line_warnings(context, row["UNKNOWN"], budget)
    if blocks is not None and next(blocks, None) is not None:
        raise _Drift
    warnings += budget_summary(budget)

    if current is not None:
        degraded = _close(current, True, records, session_warnings) or degraded
    warnings += session_warnings
    if empty_marker and records:
        degraded = True
        warnings.append("'no active sessions' next to sessions: outputs mixed?")
    return finish(
        command,
        records,
        warnings,
        degraded=degraded,
        recognised=recognised,
        empty_marker=empty_marker,
    )


def _close(session: _Session, last: bool, records: list[VpnSession], warnings: list[str]) -> bool:
    """Finish ``session`` into ``records``/``warnings``; True if it had something to say.

    The last session of a cut paste may be nothing but its ``Connection : 192.0`` line: the
    name itself may be cut, so it is not a record (no phantom peer), only a warning.
    """
    row = session.row
    if last and not row["INDEX"] and not row["IP_ADDR"] and not session.ike and not session.ipsec:
        name = row["CONNECTION"].strip() or "?"
        warnings.append(f"session {name}: cut after its Connection line, not counted (output cut?)")
        return True
    record, session_warnings = _finish_session(session, last=last)
    records.append(record)
    warnings += session_warnings
    return bool(session_warnings)

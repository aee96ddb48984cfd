"""`show vpn-sessiondb detail l2l` -> VpnSession records with IKE / IPsec sub-sessions.

The template emits one flat record per header line (``Connection :``, ``IKEv1:``,
``IPsec:``...); here they are grouped back into sessions. Why this command matters: it is
the only place that shows every negotiated SA pair of a peer side by side (AWS wants exactly
one), with bytes both ways; so a session cut off mid-way must say so (PARTIAL), not look like
a peer with one SA pair less.

Note on counts: ``IPsec Tunnels: 5`` can be larger than the number of ``IPsec:`` blocks
shown on real devices (see tests/data fixtures from ntc-templates), so the counts are only
used to catch a session whose sub-sessions are missing altogether.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from vpn_doctor.commands import SHOW_SESSIONDB_L2L
from vpn_doctor.models import IkeSubsession, IpsecSubsession, ParseResult, VpnSession
from vpn_doctor.parsing_common import (
    Row,
    budget_summary,
    finish,
    guarded_prepare,
    new_budget,
    run_template,
    safely,
    segment,
    to_int,
    unknown_line_warnings,
)

TEMPLATE = "cisco_asa_show_vpn-sessiondb_detail_l2l.textfsm"

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


def _parse(text: str, command: str) -> ParseResult[VpnSession]:
    prepared, early = guarded_prepare(text, command)
    if early is not None:
        return early
    rows = run_template(TEMPLATE, prepared.text)

    blocks = segment(prepared.lines, _HEADER, _STOP, _maybe_header)
    header_rows = sum(1 for row in rows if row["SESSION"] or row["SUBKIND"])
    warnings = list(prepared.warnings)
    degraded = prepared.degraded
    if len(blocks) != header_rows:  # only if the template and _HEADER drift apart
        warnings.append(f"internal: {header_rows} records but {len(blocks)} blocks")
        blocks = [[] for _ in range(header_rows)]

    budget = new_budget()
    sessions: list[_Session] = []
    empty_marker = False
    recognised = False
    block_index = 0
    for row in rows:
        empty_marker = empty_marker or bool(row["NO_SESSIONS"])
        recognised = recognised or bool(row["SESSION_TYPE"])
        context = ""
        lines: tuple[str, ...] = ()
        missing: list[str] = []
        if row["SESSION"] or row["SUBKIND"]:
            lines = tuple(blocks[block_index])
            block_index += 1
        if row["SESSION"]:
            sessions.append(_Session(row=row, lines=lines, clean=not row["UNKNOWN"]))
            context = f"session {row['CONNECTION'].strip() or row['IP_ADDR'] or '?'}: "
        elif row["SUBKIND"]:
            kind = row["SUBKIND"]
            family = _family(kind)
            current = sessions[-1] if sessions else None
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
    warnings += budget_summary(budget)

    records: list[VpnSession] = []
    for position, session in enumerate(sessions, start=1):
        record, session_warnings = _finish_session(session, last=position == len(sessions))
        records.append(record)
        if session_warnings:
            degraded = True
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

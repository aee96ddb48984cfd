"""Where the exchange stopped, as a message ladder between this ASA and the peer.

Why: "MM_WAIT_MSG6 as initiator" means something only to someone who knows main mode by
heart; a ladder with MM1..MM6, the last message seen and the one that never came shows it
at a glance, for the role this ASA plays. Built from the tunnel's phase 1 state, role and
IKE version (and, for quick mode, its phase 2 finding); rendered as plain text lines that
the rich, Markdown (fenced) and HTML renderers all reuse. Pure: no I/O, no rich.

Main mode: the initiator sends MM1, MM3, MM5 and the responder MM2, MM4, MM6; an ASA in
``MM_WAIT_MSGn`` has seen MSG n-1 and waits for MSG n. Aggressive mode: AM1 (initiator),
AM2 (responder), AM3 (initiator). IKEv2: IKE_SA_INIT request/response, IKE_AUTH
request/response. Quick mode: QM1 (initiator), QM2 (responder), QM3 (initiator).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from vpn_doctor.diagnose.findings import TunnelDiagnosis

Status = Literal["ok", "last", "missing", "later"]
# Who sends each message: "i" initiator, "r" responder.
_MAIN = (
    ("MM1", "i", "SA proposals"),
    ("MM2", "r", "SA chosen"),
    ("MM3", "i", "KE + nonce"),
    ("MM4", "r", "KE + nonce"),
    ("MM5", "i", "ID + HASH (encrypted)"),
    ("MM6", "r", "ID + HASH (encrypted)"),
)
_AGGRESSIVE = (
    ("AM1", "i", "SA + KE + nonce + ID"),
    ("AM2", "r", "SA + KE + nonce + ID + HASH"),
    ("AM3", "i", "HASH"),
)
_QUICK = (
    ("QM1", "i", "HASH + SA + nonce + proxy IDs"),
    ("QM2", "r", "HASH + SA + nonce + proxy IDs"),
    ("QM3", "i", "HASH (ack)"),
)
_IKEV2 = (
    ("IKE_SA_INIT", "i", "request: SA, KE, nonce"),
    ("IKE_SA_INIT", "r", "response: SA, KE, nonce"),
    ("IKE_AUTH", "i", "request: IDi, AUTH, child SA, TS"),
    ("IKE_AUTH", "r", "response: IDr, AUTH, child SA, TS"),
)
_PHASE2_FAILURES = frozenset(
    {"IPSEC_PROXY_MISMATCH", "IPSEC_TRANSFORM_MISMATCH", "IPSEC_PFS_MISMATCH"}
)
_ACTIVE = frozenset({"MM_ACTIVE", "AM_ACTIVE", "AG_ACTIVE", "READY", "UP-ACTIVE"})


@dataclass(frozen=True)
class Row:
    label: str
    sender: str  # "asa" | "peer"
    text: str
    status: Status


@dataclass(frozen=True)
class Ladder:
    """The exchange(s) of one tunnel, as this ASA saw them."""

    title: str
    role: str  # initiator | responder
    peer: str
    rows: tuple[Row, ...]


def _rows(messages: tuple[tuple[str, str, str], ...], role: str, seen: int) -> list[Row]:
    """``seen`` messages went through; the next never came; the rest were not reached."""
    own = "i" if role == "initiator" else "r"
    rows = []
    for index, (label, who, text) in enumerate(messages):
        if index < seen - 1 or (index == seen - 1 and seen == len(messages)):
            status: Status = "ok"
        elif index == seen - 1:
            status = "last"
        elif index == seen:
            status = "missing"
        else:
            status = "later"
        rows.append(Row(label, "asa" if who == own else "peer", text, status))
    return rows


def _waiting_for(state: str) -> int | None:
    match = re.search(r"WAIT_MSG(\d)", state)
    return int(match.group(1)) if match else None


def ladder(tunnel: TunnelDiagnosis) -> Ladder | None:
    """The ladder for ``tunnel``, or None when there is no exchange to draw (no IKE SA, or
    a state we cannot place on the ladder)."""
    p1 = tunnel.phase1
    state = str(p1.get("state") or "").upper()
    role = str(p1.get("role") or "").lower()
    if not state or role not in ("initiator", "responder"):
        return None
    ike = int(p1.get("ike_version") or 0)
    rows: list[Row] = []
    if ike == 2:
        if state in _ACTIVE:
            rows = _rows(_IKEV2, role, len(_IKEV2))
        elif "NEG" in state or "INIT" in state:
            rows = _rows(_IKEV2, role, 1 if role == "initiator" else 2)
        else:
            return None
        title = "IKEv2"
    elif state.startswith(("AG_", "AM_")):
        waiting = _waiting_for(state)
        if state in _ACTIVE:
            seen = 3
        elif waiting:
            seen = waiting - 1
        elif state == "AG_INIT_EXCH":
            seen = 1 if role == "initiator" else 2
        else:
            return None
        rows = _rows(_AGGRESSIVE, role, seen)
        title = "IKEv1 aggressive mode"
    else:
        waiting = _waiting_for(state)
        if state in _ACTIVE:
            seen = 6
        elif waiting:
            seen = waiting - 1
        elif state in ("MM_NO_STATE", "NO_STATE", "MM_INIT_EXCH"):
            seen = 1 if role == "initiator" else 2
        elif state == "MM_KEY_EXCH":
            seen = 3 if role == "initiator" else 4
        else:
            return None
        rows = _rows(_MAIN, role, seen)
        title = "IKEv1 main mode"
    codes = {f.code for f in tunnel.findings}
    if state in _ACTIVE and ike != 2 and codes & _PHASE2_FAILURES:
        # The peer's QM1 reached us (responder) and we refused, or ours got no QM2 back.
        rows += _rows(_QUICK, role, 1)
        title += " + quick mode"
    elif state in _ACTIVE and ike != 2 and int(tunnel.phase2.get("sa_count") or 0) > 0:
        rows += _rows(_QUICK, role, 3)
        title += " + quick mode"
    return Ladder(title=title, role=role, peer=tunnel.peer, rows=tuple(rows))


_MARKS: dict[Status, str] = {
    "ok": "",
    "last": "<- last message seen",
    "missing": "<- never came",
    "later": "(not reached)",
}
ARROW_WIDTH = 24


def _arrow(sender: str, status: Status) -> str:
    body_len = ARROW_WIDTH - 1
    if status == "missing":
        body = ("- " * ARROW_WIDTH)[: body_len - 2] + " X"
        return body + ">" if sender == "asa" else "<" + body
    if status == "later":
        return " " * ARROW_WIDTH
    return "-" * body_len + ">" if sender == "asa" else "<" + "-" * body_len


def ladder_lines(item: Ladder, device: str = "ASA") -> list[tuple[str, Status]]:
    """The ladder as fixed-width text lines, each with the status it shows (for colour)."""
    left = f"{device} ({item.role})"
    label_width = max(len(r.label) for r in item.rows)
    text_width = max(len(r.text) for r in item.rows)
    pad = label_width + 2 + text_width + 2
    header = f"{'':<{pad}}{left:<{ARROW_WIDTH}}  {item.peer}"
    lines: list[tuple[str, Status]] = [(f"{item.title}", "ok"), (header.rstrip(), "ok")]
    for row in item.rows:
        mark = _MARKS[row.status]
        text = f"{row.label:<{label_width}}  {row.text:<{text_width}}  "
        text += f"|{_arrow(row.sender, row.status)}|  {mark}"
        lines.append((text.rstrip(), row.status))
    return lines


def ladder_text(item: Ladder, device: str = "ASA") -> str:
    """Plain text (Markdown fences it)."""
    return "\n".join(line for line, _ in ladder_lines(item, device))

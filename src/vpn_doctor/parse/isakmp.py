"""`show crypto isakmp sa` (and `ikev1 sa`, `ikev2 sa`, `... detail`) -> IkeSa records.

Why the cross-checks here: phase 1 is where the diagnosis starts, and the usual way a capture
goes wrong (SSH timeout, paste limit, pager) is that it stops part-way. The ASA prints how many
IKEv1 SAs it has (``Total IKE SA: N``) and, for IKEv2, how many IKE and child SAs each session
has; when we parsed fewer than announced the result is PARTIAL with a warning, so a missing
peer is never read as "no IKE SA for that peer".

Normalisation: ``state`` is upper-cased (7.x prints ``AM_Active``), ``role`` is
``initiator``/``responder`` (IKEv2 prints upper case, the 7.x table ``Init``/``Resp``),
``sa_type`` is ``L2L`` or ``user``. The device lines are kept as printed in ``lines``.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict

from vpn_doctor.asa.commands import SHOW_ISAKMP_SA
from vpn_doctor.models import IkeSa, ParseResult
from vpn_doctor.parse.textfsm_runner import (
    Row,
    budget_summary,
    finish,
    guarded_prepare,
    new_budget,
    run_template,
    safely,
    to_int,
    unknown_line_warnings,
)

TEMPLATE = "cisco_asa_show_crypto_isakmp_sa.textfsm"

_ROLES = {
    "init": "initiator",
    "initiator": "initiator",
    "resp": "responder",
    "responder": "responder",
}
_SESSION = re.compile(r"IKE count:\s*(?P<ike>\d+),\s*CHILD count:\s*(?P<child>\d+)")


def _sa_type(value: str) -> str:
    low = value.lower()
    if low == "l2l":
        return "L2L"
    if low == "user":
        return "user"
    return value


def _split_port(value: str) -> tuple[str, int | None]:
    """'192.0.2.6/500' or '2001:db8::1/500' -> (address, port)."""
    address, sep, port = value.rpartition("/")
    if sep and port.isdigit() and address:
        return address, int(port)
    return value, None


def _ikev1(row: Row) -> IkeSa:
    return IkeSa(
        peer=row["PEER"],
        ike_version=1,
        state=row["STATE"].upper(),
        role=_ROLES.get(row["ROLE"].lower(), row["ROLE"].lower()),
        sa_type=_sa_type(row["SA_TYPE"]),
        rekey=row["REKEY"].lower() == "yes",
        index=to_int(row["INDEX"]),
        encryption=row["ENCRYPTION"],
        hash=row["HASH"],
        auth=row["AUTH"],
        lifetime=to_int(row["LIFETIME"]),
        lifetime_remaining=to_int(row["LIFETIME_REMAINING"]),
        lines=tuple(row["LINES"]),
        remote_access=row["SA_TYPE"].lower() == "user",
    )


def _ikev2(row: Row) -> IkeSa:
    remote, remote_port = _split_port(row["REMOTE"])
    encryption = row["ENCRYPTION"]
    if row["KEYSIZE"]:
        encryption = f"{encryption}-{row['KEYSIZE']}"  # "AES-CBC" + keysize 256
    auth = row["AUTH"]
    if row["AUTH_VERIFY"] and row["AUTH_VERIFY"] != auth:
        auth = f"{auth}/{row['AUTH_VERIFY']}"  # sign/verify differ (e.g. PSK/RSA)
    lifetime = to_int(row["LIFETIME"])
    active = to_int(row["ACTIVE_TIME"])
    remaining = max(lifetime - active, 0) if lifetime is not None and active is not None else None
    lines = tuple(row["LINES"])
    if row["IKEV2_SESSION"]:
        lines = (row["IKEV2_SESSION"], *lines)
    return IkeSa(
        peer=remote,
        ike_version=2,
        state=row["STATE"].upper(),
        role=_ROLES.get(row["ROLE"].lower(), row["ROLE"].lower()),
        index=to_int(row["INDEX"]),
        local=row["LOCAL"],
        remote_port=remote_port,
        encryption=encryption,
        hash=row["HASH"],
        dh_group=row["DH_GROUP"],
        auth=auth,
        lifetime=lifetime,
        lifetime_remaining=remaining,
        child_sas=len(row["CHILD_LOCAL"]),
        child_selectors=tuple(
            (local.strip(), remote_sel.strip())
            for local, remote_sel in zip(row["CHILD_LOCAL"], row["CHILD_REMOTE"], strict=False)
        ),
        child_spis=tuple(row["CHILD_SPI"]),
        lines=lines,
    )


# The commands whose output shows both IKE versions (not `show crypto ikev1|ikev2 sa`).
_BOTH_VERSIONS = re.compile(r"^show crypto isakmp sa\b")


def parse_isakmp_sa(text: str, command: str = SHOW_ISAKMP_SA) -> ParseResult[IkeSa]:
    """Parse phase 1 SAs of any ASA layout, IKEv1 and IKEv2 together; never raises."""
    return safely(command, lambda: _parse(text, command))


def _parse(text: str, command: str) -> ParseResult[IkeSa]:
    prepared, early = guarded_prepare(text, command)
    if early is not None:
        return early
    rows = run_template(TEMPLATE, prepared.text)

    warnings = list(prepared.warnings)
    degraded = prepared.degraded
    budget = new_budget()
    records: list[IkeSa] = []
    no_sas: set[str] = set()
    sections: set[str] = set()
    total_sa: int | None = None
    active_sa: int | None = None
    recognised = False
    # IKEv2: per session line, (announced IKE count, CHILD count) and what we saw.
    announced: dict[str, tuple[int, int]] = {}
    seen_ike: dict[str, int] = defaultdict(int)
    seen_child: dict[str, int] = defaultdict(int)

    for row in rows:
        no_sas.update(name.lower() for name in row["NO_SAS"])
        sections.update(row["SECTIONS"])
        if row["TOTAL_SA"]:
            total_sa = (total_sa or 0) + int(row["TOTAL_SA"])
        if row["ACTIVE_SA"]:
            active_sa = (active_sa or 0) + int(row["ACTIVE_SA"])
        if row["IKEV2_SESSION"]:
            match = _SESSION.search(row["IKEV2_SESSION"])
            if match:
                announced[row["IKEV2_SESSION"]] = (int(match["ike"]), int(match["child"]))
        recognised = recognised or bool(
            row["SECTIONS"] or row["TOTAL_SA"] or row["ACTIVE_SA"] or row["IKEV2_SESSION"]
        )

        context = ""
        problem = ""
        if row["REMOTE"]:
            record = _ikev2(row)
            seen_ike[row["IKEV2_SESSION"]] += 1
            seen_child[row["IKEV2_SESSION"]] += record.child_sas or 0
            context = f"IKEv2 SA {record.peer}: "
            if not row["ENCRYPTION"] or not row["LIFETIME"]:
                problem = "incomplete (no Encr/Life lines: output cut?)"
        elif row["PEER"] and not row["STATE"] and len(row["LINES"]) <= 1:
            # Cut right after "IKE Peer: 192" (the end of a paste): the address itself may be
            # cut, so it is not a record (no phantom peer), only a warning.
            record = None
            context = f"IKEv1 SA {row['PEER']}: "
            problem = "block cut at its IKE Peer line: not counted (output cut?)"
        elif row["PEER"]:
            record = _ikev1(row)
            context = f"IKEv1 SA {record.peer}: "
            if not row["STATE"]:
                problem = "incomplete (no State line: output cut?)"
        else:
            record = None
        if problem:
            degraded = True
            warnings.append(f"{context}{problem}")
        if record is not None:
            if problem or row["UNKNOWN"]:
                record = dataclasses.replace(record, complete=False)
            records.append(record)
        line_warnings = unknown_line_warnings(context, row["UNKNOWN"], budget)
        if row["UNKNOWN"]:
            degraded = True
        warnings += line_warnings
    warnings += budget_summary(budget)

    ikev1 = sum(1 for record in records if record.ike_version == 1)
    ikev2 = len(records) - ikev1
    if total_sa is not None and ikev1 != total_sa:
        degraded = True
        warnings.append(
            f"the device reports {total_sa} IKEv1 SA(s) (Total IKE SA) but {ikev1} were "
            "parsed: output truncated?"
        )
    elif total_sa is None and active_sa is not None and ikev1 < active_sa:
        degraded = True
        warnings.append(f"the device reports {active_sa} active IKEv1 SA(s), {ikev1} parsed")
    for session, (ike_count, child_count) in announced.items():
        if seen_ike[session] < ike_count or seen_child[session] < child_count:
            degraded = True
            records = [
                dataclasses.replace(record, complete=False)
                if record.ike_version == 2 and record.lines[:1] == (session,)
                else record
                for record in records
            ]
            warnings.append(
                f"'{session}' announces {ike_count} IKE / {child_count} child SA(s), parsed "
                f"{seen_ike[session]} / {seen_child[session]}: output truncated?"
            )
    if "IKEv1" in sections and not ikev1 and "ikev1" not in no_sas and total_sa != 0:
        degraded = True
        warnings.append("'IKEv1 SAs:' section without SAs or 'There are no IKEv1 SAs'")
    if "IKEv2" in sections and not ikev2 and "ikev2" not in no_sas:
        degraded = True
        warnings.append("'IKEv2 SAs:' section without SAs or 'There are no IKEv2 SAs'")
    if (
        _BOTH_VERSIONS.match(command)
        and ("IKEv1" in sections or "ikev1" in no_sas)
        and "IKEv2" not in sections
        and "ikev2" not in no_sas
        and not ikev2
    ):
        # 8.4+ `show crypto isakmp sa` always ends with its IKEv2 part ("There are no IKEv2
        # SAs" at least): without it the capture stopped part-way, and "no IKEv1 SA" alone
        # must not read as "no SA at all".
        degraded = True
        warnings.append("the IKEv2 part of the output is missing (capture cut?)")
    conflicting = ("ikev1" in no_sas and ikev1) or ("ikev2" in no_sas and ikev2)
    if conflicting:
        degraded = True
        warnings.append("'There are no ... SAs' next to SAs of the same version: outputs mixed?")

    empty_marker = bool(no_sas) or total_sa == 0
    return finish(
        command,
        records,
        warnings,
        degraded=degraded,
        recognised=recognised,
        empty_marker=empty_marker,
    )

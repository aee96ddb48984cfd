"""`show crypto ipsec sa` -> :class:`~vpn_doctor.models.IpsecSa` records.

The template (templates/cisco_asa_show_crypto_ipsec_sa.textfsm) extracts fields; this module
turns them into typed records and decides whether each block is complete. Why the checks:
a capture cut in the middle of the last block (SSH timeout, paste limit) still parses into a
plausible-looking SA with zero counters, and "decaps 0" is exactly what the one-way-traffic
diagnosis looks for. So a block missing its counters, endpoints or the SA sections it
announced is reported as incomplete and the whole result is PARTIAL.
"""

from __future__ import annotations

import re

from vpn_doctor.asa.commands import SHOW_IPSEC_SA
from vpn_doctor.models import IpsecSa, ParseResult, ProxyId
from vpn_doctor.parse.textfsm_runner import (
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

TEMPLATE = "cisco_asa_show_crypto_ipsec_sa.textfsm"

# Must match exactly the lines on which the template captures CRYPTO_MAP (block k <-> record k).
_OUTBOUND = re.compile(r"^\s*outbound esp sas\s*:", re.IGNORECASE)
# The outbound section reached a whole line of its own: its lifetime (`(kB/sec): (4374000/3593)`
# or `(sec): 3593`) or the replay-detection line after it.
_OUTBOUND_TAIL = re.compile(
    r"^\s*(?:sa timing:.*(?:\(\d+/\d+\)|:\s*\d+)\s*$|replay detection support\s*:)",
    re.IGNORECASE,
)
_HEADER = re.compile(
    r"^\s*Crypto map tag:\s+[^,\s]+,\s+(?:seq num:\s+\d+,\s+)?local addr:\s+\S+\s*$"
)
_STOP = re.compile(r"^\s*(?:interface:|peer address:|Crypto map tag:|There are no)")
# A block pasted without its header (`| begin access-list`, a cut paste): its first lines.
_HEADLESS = re.compile(r"^\s*(?:access-list |local ident \(|current_peer:|#pkts encaps:)")
_CUT_AT_PEER = re.compile(r"^\s*current_peer:")
_NO_HEADER = "Crypto map tag: -, local addr: -"  # stands in for the header the paste lost
# Remote access: the settings say so, or an EzVPN client map (the ASA as EzVPN client).
_RA_SETTINGS = re.compile(r"\bRA\b")
_EZVPN_MAP = "_vpnc_cm"


def _maybe_header(line: str) -> bool:
    """Cheap test true for every header/stop line (indentation is not relied upon)."""
    return ":" in line and (
        "Crypto map tag:" in line
        or "interface:" in line
        or "peer address:" in line
        or "There are no" in line
    )


# "#pkts encaps" -> IpsecSa field. Names are as printed, minus the leading "#".
_COUNTER_FIELDS: dict[str, str] = {
    "pkts encaps": "pkts_encaps",
    "pkts encrypt": "pkts_encrypt",
    "pkts digest": "pkts_digest",
    "pkts decaps": "pkts_decaps",
    "pkts decrypt": "pkts_decrypt",
    "pkts verify": "pkts_verify",
    "pkts compressed": "pkts_compressed",
    "pkts decompressed": "pkts_decompressed",
    "pkts not compressed": "pkts_not_compressed",
    "pkts comp failed": "pkts_comp_failed",
    "pkts decomp failed": "pkts_decomp_failed",
    "pre-frag successes": "pre_frag_successes",
    "pre-frag failures": "pre_frag_failures",
    "fragments created": "fragments_created",
    "PMTUs sent": "pmtus_sent",
    "PMTUs rcvd": "pmtus_rcvd",
    "decapsulated frgs needing reassembly": "decap_frags_needing_reassembly",
    "decapsulated frags needing reassembly": "decap_frags_needing_reassembly",
    "TFC rcvd": "tfc_rcvd",
    "TFC sent": "tfc_sent",
    "Valid ICMP Errors rcvd": "valid_icmp_errors_rcvd",
    "Invalid ICMP Errors rcvd": "invalid_icmp_errors_rcvd",
    "send errors": "send_errors",
    "recv errors": "recv_errors",
}
_COUNTER = re.compile(r"^#?\s*(?P<name>[^:#]+?)\s*:\s*(?P<value>\d+)$")
_COUNTER_LINE = re.compile(r"^(?:#?[^:#,]+: \d+, )*#?[^:#,]+: \d+$")
_COUNTER_PAIR = re.compile(r"#?([^:#,]+): (\d+)")
# Counters every real block prints; without them the block is not complete.
_REQUIRED_COUNTERS = ("pkts_encaps", "pkts_decaps", "send_errors")

_PFS = re.compile(r"PFS Group\s*(\d+)", re.IGNORECASE)
_IKE_VERSION = re.compile(r"IKEv(\d)")
_LIFETIME = re.compile(r"\((?:kB/sec|sec)\):\s*\(?(?:(?P<kb>\d+)/)?(?P<sec>\d+)\)?")


def _proxy(value: str) -> ProxyId | None:
    """'10.0.0.0/255.255.255.0/0/0' (or IPv6 '2001:db8::/64/0/0') -> ProxyId."""
    if not value:
        return None
    parts = value.rsplit("/", 3)
    if len(parts) == 4:
        return ProxyId(address=parts[0], mask=parts[1], protocol=parts[2], port=parts[3])
    if len(parts) == 2:
        return ProxyId(address=parts[0], mask=parts[1])
    return ProxyId(address=value, mask="")


def _endpoint(value: str) -> tuple[str, int | None]:
    """'172.16.248.119/4500' -> ('172.16.248.119', 4500); no port -> (value, None)."""
    address, sep, port = value.rpartition("/")
    if sep and port.isdigit() and address:
        return address, int(port)
    return value, None


def _counters(row: Row, context: str) -> tuple[dict[str, int], list[str]]:
    """Split the '#name: N, #name: N' lines; a malformed piece is a warning, not a guess."""
    values: dict[str, int] = {}
    warnings: list[str] = []
    fields = _COUNTER_FIELDS
    for line in row["COUNTERS"]:
        line = line.strip()
        if _COUNTER_LINE.match(line):  # the fast path: every well-formed line
            for name, value in _COUNTER_PAIR.findall(line):
                field_name = fields.get(name.strip())
                if field_name is not None:  # unknown name: a counter a newer release added
                    values[field_name] = int(value)
            continue
        for piece in line.split(","):
            piece = piece.strip()
            if not piece:
                continue
            match = _COUNTER.match(piece)
            if match is None:
                warnings.append(f"{context}unrecognised counter {piece!r} in '#{line}'")
                continue
            field_name = fields.get(match.group("name").strip())
            if field_name is not None:
                values[field_name] = int(match.group("value"))
    return values, warnings


def _lifetimes(row: Row) -> tuple[int | None, int | None]:
    """Smallest remaining kB and seconds over the block's SAs: the next rekey."""
    kbs: list[int] = []
    secs: list[int] = []
    for text in row["LIFETIMES"]:
        match = _LIFETIME.search(text)
        if match is None:
            continue
        if match.group("kb"):
            kbs.append(int(match.group("kb")))
        secs.append(int(match.group("sec")))
    return (min(kbs) if kbs else None, min(secs) if secs else None)


def _completeness(row: Row, counters: dict[str, int], context: str) -> list[str]:
    missing: list[str] = []
    if not row["PEER"]:
        missing.append("current_peer")
    missing.extend(
        f"#{name.replace('_', ' ')}" for name in _REQUIRED_COUNTERS if name not in counters
    )
    if not row["LOCAL_ENDPT"]:
        missing.append("crypto endpt.")
    if not row["INBOUND_SEEN"]:
        missing.append("inbound esp sas")
    if not row["OUTBOUND_SEEN"]:
        missing.append("outbound esp sas")
    spis = len(row["INBOUND_SPIS"]) + len(row["OUTBOUND_SPIS"])
    if spis and (len(row["TRANSFORMS"]) < spis or len(row["LIFETIMES"]) < spis):
        missing.append("transform/sa timing of an SA")
    if row["OUTBOUND_SEEN"] and row["INBOUND_SPIS"] and not row["OUTBOUND_SPIS"]:
        missing.append("outbound spi")
    if not missing:
        return []
    return [f"{context}incomplete SA block (output cut?), missing: {', '.join(missing)}"]


def _record(row: Row, lines: tuple[str, ...]) -> tuple[IpsecSa, list[str]]:
    seq = to_int(row["SEQ"])
    context = f"SA {row['PEER'] or '?'} (map {row['CRYPTO_MAP']} seq {row['SEQ'] or '-'}): "
    counters, warnings = _counters(row, context)
    warnings += _completeness(row, counters, context)

    local_addr, local_port = _endpoint(row["LOCAL_ENDPT"])
    remote_addr, remote_port = _endpoint(row["REMOTE_ENDPT"])
    settings = " ".join(row["SETTINGS"])
    pfs = _PFS.search(settings)
    ike = _IKE_VERSION.search(settings)
    kb_left, sec_left = _lifetimes(row)
    transforms: list[str] = row["TRANSFORMS"]

    record = IpsecSa(
        interface=row["INTERFACE"],
        crypto_map="" if row["CRYPTO_MAP"] == "-" else row["CRYPTO_MAP"],
        seq=seq,
        peer=row["PEER"],
        local_addr=local_addr,
        remote_addr=remote_addr,
        local_ident=_proxy(row["LOCAL_IDENT"]),
        remote_ident=_proxy(row["REMOTE_IDENT"]),
        pmtu=to_int(row["PMTU"]),
        nat_t="NAT-T" in settings or 4500 in (local_port, remote_port),
        pfs_group=pfs.group(1) if pfs else "",
        ike_version=int(ike.group(1)) if ike else None,
        inbound_spis=tuple(row["INBOUND_SPIS"]),
        outbound_spis=tuple(row["OUTBOUND_SPIS"]),
        transform=transforms[0].strip() if transforms else "",
        lifetime_kb_remaining=kb_left,
        lifetime_seconds_remaining=sec_left,
        local_port=local_port,
        remote_port=remote_port,
        access_list=row["ACL"],
        dynamic_peer=row["DYNAMIC_PEER"],
        lines=lines,
        complete=not warnings and not row["UNKNOWN"],
        username=row["USERNAME"],
        remote_access=bool(
            _RA_SETTINGS.search(settings)
            or row["USERNAME"]
            or row["DYNAMIC_PEER"]
            or row["CRYPTO_MAP"] == _EZVPN_MAP
        ),
        **counters,
    )
    return record, warnings


def _headless(lines: list[str]) -> int | None:
    """Where to put the missing header when block lines come before any header, else None."""
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if _STOP.match(line):
            return None
        if _HEADLESS.match(line):
            return index
    return None


def parse_ipsec_sa(text: str, command: str = SHOW_IPSEC_SA) -> ParseResult[IpsecSa]:
    """Parse `show crypto ipsec sa` (also `... peer X`); never raises.

    "There are no ipsec sas" gives EMPTY; anything we could not read gives PARTIAL or FAILED
    with a warning per problem, so it can never be mistaken for "no SA".
    """
    return safely(command, lambda: _parse(text, command))


def _last_block_whole(lines: list[str]) -> bool:
    """Whether the last SA block reaches a whole line of its ``outbound esp sas:`` section
    (its lifetime or replay-detection line): a capture cut anywhere before is not whole."""
    # From the end backwards: only the last block is read (5,000-tunnel outputs stay linear).
    last = next((i for i in range(len(lines) - 1, -1, -1) if _HEADER.match(lines[i])), -1)
    tail = lines[last + 1 :]
    outbound = max((i for i, line in enumerate(tail) if _OUTBOUND.match(line)), default=-1)
    return outbound >= 0 and any(_OUTBOUND_TAIL.match(line) for line in tail[outbound + 1 :])


def _parse(text: str, command: str) -> ParseResult[IpsecSa]:
    prepared, early = guarded_prepare(text, command)
    if early is not None:
        return early
    warnings = list(prepared.warnings)
    degraded = prepared.degraded
    headless = _headless(prepared.lines)
    if headless is not None:
        prepared.lines.insert(headless, _NO_HEADER)
        degraded = True
        warnings.append(
            "the output starts inside an SA block (no 'Crypto map tag:' header: cut or "
            "filtered paste): crypto map and sequence unknown"
        )
    rows = run_template(TEMPLATE, prepared.text)

    blocks = segment(prepared.lines, _HEADER, _STOP, _maybe_header)
    sa_rows = [row for row in rows if row["CRYPTO_MAP"]]
    if len(blocks) != len(sa_rows):  # cannot happen unless template and _HEADER drift apart
        warnings.append(
            f"internal: {len(sa_rows)} records but {len(blocks)} blocks; evidence lines dropped"
        )
        blocks = [[] for _ in sa_rows]

    budget = new_budget()
    empty_marker = False
    recognised = False
    records: list[IpsecSa] = []
    sa_index = 0
    for row in rows:
        if row["NO_SAS"]:
            empty_marker = True
        if row["CRYPTO_MAP"]:
            block = tuple(blocks[sa_index])
            record, record_warnings = _record(row, block)
            sa_index += 1
            if sa_index == len(blocks) and block and _CUT_AT_PEER.match(block[-1]):
                # The paste ends on "current_peer: 10.1": the address itself may be cut, so
                # the block is not a record (no phantom peer), only a warning.
                degraded = True
                warnings.append(
                    f"SA block (map {record.crypto_map}) cut at its current_peer line, not "
                    "counted (output cut?)"
                )
                continue
            records.append(record)
            context = f"SA {record.peer or '?'} (map {record.crypto_map} seq {row['SEQ'] or '-'}): "
        else:
            record_warnings = []
            context = ""
            recognised = recognised or bool(row["INTERFACE"])
        record_warnings += unknown_line_warnings(context, row["UNKNOWN"], budget)
        if record_warnings or (row["UNKNOWN"] and budget[1]):
            degraded = True
        warnings += record_warnings
    warnings += budget_summary(budget)
    if records and not _last_block_whole(prepared.lines):
        # Every SA block ends with its outbound esp sas: a last block without them is an
        # output cut inside it, and the SAs after it (if any) are missing, not absent.
        degraded = True
        warnings.append(
            "the output ends inside its last SA block (its outbound esp sas section is "
            "missing or cut): SAs of other peers after it may be missing"
        )
    if empty_marker and records:
        degraded = True
        warnings.append("'There are no ipsec sas' next to SA blocks: two outputs mixed?")
    return finish(
        command,
        records,
        warnings,
        degraded=degraded,
        recognised=recognised,
        empty_marker=empty_marker,
    )

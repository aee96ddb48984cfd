"""Access lists and NAT: the crypto ACL (what is encrypted) and the NAT rules (what must
not be translated before it is).

``show running-config access-list`` and ``show access-list`` share one ACE tokenizer, so a
configured ACE and its hit-counted twin compare equal. ``show nat`` goes through the
ntc-template (driven line by line); ``show running-config nat`` is parsed here, including the
8.2 ``nat (inside) 0 access-list`` exemption form.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from vpn_doctor.asa.commands import SHOW_ACCESS_LIST, SHOW_NAT, SHOW_RUN_ACCESS_LIST, SHOW_RUN_NAT
from vpn_doctor.config_models import (
    AccessListEntry,
    AclAddress,
    NatRule,
)
from vpn_doctor.models import ParseResult
from vpn_doctor.parse.config.base import (
    Collector,
    blocks,
    ntc_template,
    prepare,
    run_template,
    to_int,
)

_ACL_LINE = re.compile(r"^(\s*)access-list (\S+)(?: line (\d+))? (.*)$")
_ACL_SUMMARY = re.compile(
    r"^(access-list \S+; \d+ elements|access-list cached ACL log flows|\s*alert-interval)"
)
_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_PORT_OPS = ("eq", "lt", "gt", "neq")


class _AceError(ValueError):
    pass


def _take_address(words: list[str]) -> AclAddress:
    if not words:
        raise _AceError("address missing")
    word = words.pop(0)
    if word in ("any", "any4", "any6"):
        return AclAddress(word)
    if word in ("host", "object", "object-group", "interface", "fqdn"):
        if not words:
            raise _AceError(f"{word} without a value")
        if word == "fqdn" and words[0] in ("v4", "v6") and len(words) > 1:
            words.pop(0)
        return AclAddress(word, words.pop(0))
    if _IPV4.match(word):
        if not words or not _IPV4.match(words[0]):
            raise _AceError("network without a mask")
        return AclAddress("network", word, words.pop(0))
    if ":" in word and "/" in word:
        address, _, length = word.partition("/")
        return AclAddress("network6", address, length)
    raise _AceError(f"not an address: {word!r}")


def _take_port(words: list[str], *, allow_group: bool) -> str:
    if words and words[0] in _PORT_OPS and len(words) > 1:
        return f"{words.pop(0)} {words.pop(0)}"
    if words and words[0] == "range" and len(words) > 2:
        low, high = words[1], words[2]
        del words[:3]
        return f"range {low} {high}"
    if allow_group and words and words[0] in ("object-group", "object") and len(words) > 1:
        return f"{words.pop(0)} {words.pop(0)}"
    return ""


def _parse_ace(acl: str, line: int | None, body: str, raw: str, expanded: bool) -> AccessListEntry:
    words = body.split()
    acl_type = "extended"
    if words and words[0] in ("extended", "standard", "webtype", "ethertype"):
        acl_type = words.pop(0)
    if not words or words[0] not in ("permit", "deny"):
        raise _AceError("no permit/deny")
    action = words.pop(0)
    hitcnt: int | None = None
    inactive = False
    # Trailing show-access-list decorations: "(hitcnt=N)", "(inactive)", "0xhash".
    tail = [w for w in words if w.startswith("(hitcnt=") or w == "(inactive)" or w.startswith("0x")]
    for w in tail:
        if w.startswith("(hitcnt="):
            hitcnt = to_int(w[len("(hitcnt=") : -1])
        elif w == "(inactive)":
            inactive = True
    words = [w for w in words if w not in tail]
    if acl_type == "standard":
        return AccessListEntry(
            acl,
            action,
            "",
            AclAddress("any"),
            _take_address(words),
            acl_type=acl_type,
            line=line,
            hitcnt=hitcnt,
            expanded=expanded,
            inactive=inactive,
            raw=raw,
        )
    if not words:
        raise _AceError("protocol missing")
    protocol = words.pop(0)
    if protocol in ("object", "object-group") and words:
        protocol = f"{protocol} {words.pop(0)}"
    source = _take_address(words)
    source_port = _take_port(words, allow_group=False)
    destination = _take_address(words)
    destination_port = _take_port(words, allow_group=True)
    if "inactive" in words:
        inactive = True
    return AccessListEntry(
        acl,
        action,
        protocol,
        source,
        destination,
        source_port,
        destination_port,
        acl_type,
        line,
        hitcnt,
        expanded,
        inactive,
        raw,
    )


def _parse_acl_text(text: str, command: str) -> ParseResult[AccessListEntry]:
    col = Collector(command)
    records: list[AccessListEntry] = []
    for number, line in prepare(text, col):
        if _ACL_SUMMARY.match(line):
            col.ok()
            continue
        m = _ACL_LINE.match(line)
        if not m:
            col.bad(number, line)
            continue
        body = m[4]
        if body.split()[:1] == ["remark"]:
            col.ok()
            continue
        try:
            records.append(_parse_ace(m[2], to_int(m[3] or ""), body, line.strip(), bool(m[1])))
        except _AceError as err:
            col.bad(number, line, f"unparsable ACE ({err})")
            continue
        col.ok()
    return col.result(records)


def parse_running_access_lists(
    text: str, command: str = SHOW_RUN_ACCESS_LIST
) -> ParseResult[AccessListEntry]:
    """``show running-config access-list [NAME]``: ACEs as configured (no hit counts)."""
    return _parse_acl_text(text, command)


def parse_access_list_hits(
    text: str, command: str = SHOW_ACCESS_LIST
) -> ParseResult[AccessListEntry]:
    """``show access-list [NAME]``: ACEs with ``line``, ``hitcnt`` and object-group expansion."""
    return _parse_acl_text(text, command)


def _nat_from_ntc(row: dict[str, Any], lines: tuple[str, ...]) -> NatRule:
    section = to_int(str(row["NAT_SECTION_NUMBER"]))
    return NatRule(
        kind="object" if section == 2 else "twice",
        real_interface=row["SOURCE_INTERFACE"],
        mapped_interface=row["DESTINATION_INTERFACE"],
        section=section,
        position=to_int(row["LINE_NUMBER"]),
        after_auto=section == 3,
        object_name=row["SOURCE_REAL"] if section == 2 else "",
        source_type=row["SOURCE_TYPE"],
        source_real=row["SOURCE_REAL"],
        source_mapped=row["SOURCE_MAPPED"],
        destination_type="static" if row["DESTINATION_REAL"] else "",
        destination_real=row["DESTINATION_REAL"],
        destination_mapped=row["DESTINATION_MAPPED"],
        service=" ".join(
            v for v in (row["SERVICE_PROTOCOL"], row["SERVICE_REAL"], row["SERVICE_MAPPED"]) if v
        ),
        no_proxy_arp=bool(row["NO_PROXY_ARP"]),
        route_lookup=bool(row["ROUTE_LOOKUP"]),
        unidirectional=bool(row["UNIDIRECTIONAL"]),
        inactive=bool(row["INACTIVE"]),
        description=row["DESCRIPTION"],
        translate_hits=to_int(row["TRANSLATE_HITS"]),
        untranslate_hits=to_int(row["UNTRANSLATE_HITS"]),
        lines=lines,
    )


_NAT_DETAIL = re.compile(r"^\s+(Source|Destination|Service) - ")
_NAT_SECTION = re.compile(r"^(Manual|Auto) NAT Policies")


def parse_nat_hits(text: str, command: str = SHOW_NAT) -> ParseResult[NatRule]:
    """``show nat [detail]`` via the ntc template: rules in order with translate hits."""
    col = Collector(command)
    lines = prepare(text, col, keep_blank=True)
    detail = [(n, line) for n, line in lines if _NAT_DETAIL.match(line)]
    col.recognised += len(detail)
    lines = [(n, line) for n, line in lines if not _NAT_DETAIL.match(line)]
    rows = run_template(ntc_template("cisco_asa_show_nat.textfsm"), lines, col)
    return col.result(
        _nat_from_ntc(row, tuple(x for x in used if not _NAT_SECTION.match(x)))
        for row, used in rows
    )


_NAT_IFACES = re.compile(r"^nat \(([^,)]+)(?:,([^)]+))?\)\s*(.*)$")
_NAT_FLAGS = {
    "no-proxy-arp": "no_proxy_arp",
    "route-lookup": "route_lookup",
    "unidirectional": "unidirectional",
    "inactive": "inactive",
}


def _parse_nat_statement(line: str, object_name: str) -> NatRule | None:
    m = _NAT_IFACES.match(line.strip())
    if not m:
        return None
    real_if, mapped_if, rest = m[1], m[2] or "", m[3].split()
    fields: dict[str, Any] = {"real_interface": real_if, "mapped_interface": mapped_if}
    if not m[2]:  # 8.2 and older: nat (inside) 0 access-list NONAT
        fields.update(kind="legacy", nat_id=rest[0] if rest else "")
        if rest[1:2] == ["access-list"] and len(rest) > 2:
            fields["access_list"] = rest[2]
        elif len(rest) > 1:
            fields["source_real"] = " ".join(rest[1:3])
        return NatRule(lines=(line,), **fields)
    if rest[:1] == ["after-auto"]:
        fields["after_auto"] = True
        rest = rest[1:]
    if rest[:1] and rest[0].isdigit():
        fields["position"] = int(rest.pop(0))
    if object_name:
        fields.update(kind="object", object_name=object_name, source_real=object_name)
        if not rest or rest[0] not in ("static", "dynamic"):
            return None
        fields["source_type"] = rest.pop(0)
        mapped = rest.pop(0) if rest else ""
        if mapped == "pat-pool" and rest:
            mapped = f"pat-pool {rest.pop(0)}"
        fields["source_mapped"] = mapped
    else:
        fields["kind"] = "twice"
        if rest[:1] != ["source"] or len(rest) < 4:
            return None
        fields.update(source_type=rest[1], source_real=rest[2], source_mapped=rest[3])
        rest = rest[4:]
        if fields["source_mapped"] == "pat-pool" and rest:
            fields["source_mapped"] = f"pat-pool {rest.pop(0)}"
        if rest[:1] == ["destination"] and len(rest) >= 4:
            fields.update(
                destination_type=rest[1], destination_real=rest[2], destination_mapped=rest[3]
            )
            rest = rest[4:]
    while rest:
        word = rest.pop(0)
        if word in _NAT_FLAGS:
            fields[_NAT_FLAGS[word]] = True
        elif word == "service":
            fields["service"] = " ".join(rest[:3])
            rest = rest[3:]
        elif word == "description":
            fields["description"] = " ".join(rest)
            rest = []
    return NatRule(lines=(line,), **fields)


def parse_running_nat(text: str, command: str = SHOW_RUN_NAT) -> ParseResult[NatRule]:
    """``show running-config nat``: twice NAT lines and object NAT under ``object network``."""
    col = Collector(command)
    records: list[NatRule] = []
    for number, header, children in blocks(prepare(text, col)):
        if header.startswith("object network "):
            col.ok()
            name = header.split()[2] if len(header.split()) > 2 else ""
            for n, child in children:
                if child.strip().startswith("nat "):
                    rule = _parse_nat_statement(child, name)
                    if rule is None:
                        col.bad(n, child, "unparsable object NAT")
                        continue
                    records.append(replace(rule, lines=(header, child)))
                col.ok()
            continue
        if header.startswith("nat "):
            rule = _parse_nat_statement(header, "")
            if rule is None:
                col.bad(number, header, "unparsable NAT rule")
            else:
                records.append(rule)
                col.ok()
        elif header.startswith(("global ", "static ")):
            col.ok()  # 8.2 global/static statements: recognised, not modelled
        else:
            col.bad(number, header or children[0][1])
            continue
        for n, child in children:
            col.bad(n, child, "indented line outside object network")
    return col.result(records)

"""``show crypto ca certificates``: the CA and identity certificates of every trustpoint.

The output is a list of blocks, each opened by an unindented header (``CA Certificate``,
``Certificate``) followed by ``Key: value`` lines; ``Issuer Name:``, ``Subject Name:``,
``Validity Date:`` and ``CRL Distribution Points:`` carry their values on the more indented
lines below them::

    Certificate
      Status: Available
      Certificate Serial Number: 1a2b
      Certificate Usage: General Purpose
      Issuer Name:
        cn=Example Root CA
      Subject Name:
        cn=fw1.example.net
      Validity Date:
        start date: 10:00:00 UTC Mar 1 2025
        end   date: 10:00:00 UTC Mar 1 2026
      Storage: config
      Associated Trustpoints: TP-PEER

Same conventions as the other configuration parsers: every line the parser does not know is a
warning and makes the result ``partial``; nothing raises.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from vpn_doctor.asa.commands import SHOW_CRYPTO_CA_CERTIFICATES
from vpn_doctor.config_models import CaCertificate
from vpn_doctor.models import ParseResult
from vpn_doctor.parse.config.base import Collector, prepare

_HEADER = re.compile(r"^(CA Certificate|Certificate|[A-Za-z ()]*Certificate)\s*$")
_FIELD = re.compile(r"^\s+([A-Za-z][A-Za-z0-9 ()/-]*?)\s*:\s*(.*)$")
_DATE = re.compile(
    r"^(?P<time>\d{1,2}:\d{2}:\d{2})\s+(?P<zone>[A-Za-z][\w+-]*)\s+"
    r"(?P<month>[A-Za-z]{3})\s+(?P<day>\d{1,2})\s+(?P<year>\d{4})$"
)
_UTC_ZONES = frozenset({"UTC", "GMT", "Z"})
# ``Key: value`` fields -> model attribute (scalars).
_SCALARS = {
    "status": "status",
    "certificate serial number": "serial",
    "serial number": "serial",
    "certificate usage": "usage",
    "key usage": "usage",
    "public key type": "public_key_type",
    "signature algorithm": "signature_algorithm",
    "storage": "storage",
}
# Fields whose values are on the indented lines below (or, sometimes, on the same line).
_LISTS = {"issuer name": "issuer", "subject name": "subject"}
# Known fields we keep as evidence without modelling.
_KEPT = frozenset(
    {
        "crl distribution points",
        "ocsp aia",
        "fingerprint",
        "fingerprint md5",
        "fingerprint sha1",
        "certificate request",
        "subject key identifier",
        "authority key identifier",
        "key id",
    }
)


def parse_cert_date(text: str) -> tuple[datetime | None, bool]:
    """``14:00:00 UTC Jan 1 2024`` -> (aware datetime, zone is UTC/GMT); (None, True) when
    unreadable. A zone other than UTC/GMT (``clock timezone``) is read as UTC."""
    m = _DATE.match(" ".join(text.split()))
    if not m:
        return None, True
    try:
        when = datetime.strptime(
            f"{m['time']} {m['month']} {m['day']} {m['year']}", "%H:%M:%S %b %d %Y"
        ).replace(tzinfo=timezone.utc)
    except ValueError:
        return None, True
    return when, m["zone"].upper() in _UTC_ZONES


def _new(role: str, header: str) -> dict[str, Any]:
    return {"role": role, "issuer": [], "subject": [], "trustpoints": [], "lines": [header]}


def _finish(cert: dict[str, Any]) -> CaCertificate:
    for key in ("issuer", "subject", "trustpoints", "lines"):
        cert[key] = tuple(cert[key])
    return CaCertificate(**cert)


def _apply_date(cert: dict[str, Any], key: str, value: str) -> bool:
    """``start date: ...`` / ``end   date: ...`` under ``Validity Date:``."""
    when, utc = parse_cert_date(value)
    if key == "start date":
        cert["start_date"], cert["valid_from"] = value, when
    elif key == "end date":
        cert["end_date"], cert["valid_until"] = value, when
    else:
        return False
    cert["zone_is_utc"] = cert.get("zone_is_utc", True) and utc
    return when is not None


def parse_ca_certificates(
    text: str, command: str = SHOW_CRYPTO_CA_CERTIFICATES
) -> ParseResult[CaCertificate]:
    """``show crypto ca certificates`` (optionally ``... TRUSTPOINT``): one record per block."""
    col = Collector(command)
    records: list[CaCertificate] = []
    cert: dict[str, Any] | None = None
    section = ""  # the field whose values follow on deeper lines ("issuer name", ...)
    for number, line in prepare(text, col):
        if not line[:1].isspace():
            if cert is not None:
                records.append(_finish(cert))
                cert = None
            m = _HEADER.match(line)
            if m:
                cert, section = _new(m[1].strip(), line), ""
                col.ok()
            else:
                col.bad(number, line)
            continue
        if cert is None:
            col.bad(number, line, "line outside any certificate block")
            continue
        field = _FIELD.match(line)
        key = " ".join(field[1].lower().split()) if field else ""
        value = field[2].strip() if field else ""
        if key in ("start date", "end date") and section == "validity date":
            understood = _apply_date(cert, key, value)
        elif field and key in _SCALARS:
            cert[_SCALARS[key]], section = value, ""
            understood = bool(value)
        elif field and key in _LISTS:
            section = key
            if value:  # `Subject Name: cn=x,o=y` on one line (some releases)
                cert[_LISTS[key]].extend(p.strip() for p in value.split(",") if p.strip())
            understood = True
        elif field and key in ("associated trustpoints", "associated trustpoint"):
            cert["trustpoints"].extend(value.split())
            section, understood = "associated trustpoints", bool(value)
        elif field and (key == "validity date" or key in _KEPT):
            section, understood = key, True
        elif section in _LISTS and "=" in line:
            cert[_LISTS[section]].append(line.strip())
            understood = True
        elif section == "associated trustpoints" and not field:
            cert["trustpoints"].extend(line.split())  # a long list wraps
            understood = True
        elif section in _KEPT and not field:
            understood = True  # `[1]  http://ca.example.net/crl`, a fingerprint's next half
        else:
            understood = False
        if understood:
            col.ok()
            cert["lines"].append(line)
        else:
            col.bad(number, line)
    if cert is not None:
        records.append(_finish(cert))
    return col.result(records)

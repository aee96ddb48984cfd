"""Certificate authentication: is the certificate of the trustpoint the tunnel uses usable?

A tunnel authenticates with certificates when its tunnel-group names a trustpoint (``ikev1
trust-point TP``, ``ikev2 local-authentication certificate TP``) or its crypto map entry does
(``set trustpoint TP``). ``show crypto ca certificates`` then says what that trustpoint holds.
Phase 1 fails (``IKE_CERT_INVALID``; 717009 / 717027 on the validating side) when:

* the ASA's own (identity) certificate, or the CA certificate, of the trustpoint is expired or
  not yet valid at the reference time (the snapshot's ``collected_at``, else now; a date printed
  in a zone other than UTC is given 14 hours of slack rather than misjudged);
* the trustpoint has no available identity certificate (never enrolled, or still ``Pending``);
  this is only claimed when the whole output was collected and parsed;
* its only identity certificate is an ``Encryption`` usage-keys half: IKE authentication is a
  signature, and a peer checking IPsec key usage rejects it (717009 "key usage is invalid").
  A ``Signature``-only certificate is *not* flagged: signing is all rsa-sig authentication
  needs, so it does not by itself produce 717009.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from vpn_doctor.config_models import CaCertificate
from vpn_doctor.diagnose.checks.base import (
    CERTIFICATE_SOURCES,
    CheckContext,
    ConfigIssue,
    lines_with,
)

_SHOW = "show crypto ca certificates"
_SLACK_OTHER_ZONE = timedelta(hours=14)  # widest UTC offset: a non-UTC date is never misjudged
_SIGNING_USAGES = frozenset({"general purpose", "signature", ""})


def tunnel_trustpoints(ctx: CheckContext) -> dict[str, tuple[str, ...]]:
    """Trustpoint -> the configuration lines that make the tunnel use it (in order)."""
    found: dict[str, list[str]] = {}
    group = ctx.tunnel_group()
    if group is not None:
        if group.trust_point:
            found.setdefault(group.trust_point, []).extend(
                lines_with(group.lines, f"trust-point {group.trust_point}")
            )
        for auth in group.ikev2_local_authentication:
            words = auth.split()
            if words[:1] == ["certificate"] and len(words) > 1:
                found.setdefault(words[1], []).extend(
                    lines_with(group.lines, f"certificate {words[1]}")
                )
    for entry in ctx.entries:
        if entry.trustpoint:
            found.setdefault(entry.trustpoint, []).extend(
                lines_with(entry.lines, f"set trustpoint {entry.trustpoint}")
            )
    return {tp: tuple(dict.fromkeys(lines)) for tp, lines in found.items()}


def _validity(cert: CaCertificate, now: datetime) -> str:
    """``expired`` / ``not yet valid`` / "" (valid) at ``now``."""
    slack = timedelta(0) if cert.zone_is_utc else _SLACK_OTHER_ZONE
    if cert.valid_until is not None and now > cert.valid_until + slack:
        return "expired"
    if cert.valid_from is not None and now < cert.valid_from - slack:
        return "not yet valid"
    return ""


def _collected_completely(ctx: CheckContext, trustpoint: str) -> bool:
    return ctx.complete(*CERTIFICATE_SOURCES) or ctx.complete(f"{_SHOW} {trustpoint}")


def _collected(ctx: CheckContext) -> bool:
    return any(command.startswith(_SHOW) for command in ctx.config.status)


def _name(cert: CaCertificate) -> str:
    cn = cert.subject_cn or ", ".join(cert.subject) or "?"
    kind = "CA certificate" if cert.is_ca else "certificate"
    serial = f", serial {cert.serial}" if cert.serial else ""
    return f"{kind} {cn}{serial}"


def _validity_issue(
    ctx: CheckContext, tp: str, refs: tuple[str, ...], cert: CaCertificate, state: str
) -> ConfigIssue:
    now = ctx.reference_time().strftime("%Y-%m-%d %H:%M UTC")
    date = cert.end_date if state == "expired" else cert.start_date
    if cert.is_ca:
        remediation: tuple[str, ...] = (f"crypto ca authenticate {tp}", f"crypto ca enroll {tp}")
        fix = (
            f"Install the CA's valid certificate (crypto ca authenticate {tp}), then enroll the "
            "identity certificate it signs again."
        )
    else:
        remediation = (f"crypto ca enroll {tp}",)
        fix = (
            f"Enroll again (crypto ca enroll {tp}) or, for a manually issued certificate, import "
            f"a valid one (crypto ca import {tp} certificate / pkcs12)."
        )
    when = "ended" if state == "expired" else "starts"
    return ConfigIssue(
        "IKE_CERT_INVALID",
        "critical",
        f"Trustpoint {tp}: {_name(cert)} is {state} ({when} {date})",
        (*refs, *cert.lines),
        (f"{_SHOW} {tp}", "show clock"),
        remediation,
        f"The {_name(cert)} of trustpoint {tp}, which this tunnel authenticates with, is "
        f"{state} at {now}: certificate validation fails (717009 / 717027 on the validating "
        f"side) and phase 1 never completes. {fix} Check the clock first if the dates look "
        "right.",
    )


def _missing_issue(
    ctx: CheckContext, tp: str, refs: tuple[str, ...], certs: tuple[CaCertificate, ...]
) -> ConfigIssue:
    has_ca = any(c.is_ca and c.status.lower() != "pending" for c in certs)
    pending = tuple(line for c in certs if c.status.lower() == "pending" for line in c.lines)
    what = "is still pending" if pending else "is missing"
    return ConfigIssue(
        "IKE_CERT_INVALID",
        "critical",
        f"Trustpoint {tp} has no identity certificate (it {what})",
        (*refs, *pending),
        (f"{_SHOW} {tp}", f"show running-config crypto ca trustpoint {tp}"),
        (*(() if has_ca else (f"crypto ca authenticate {tp}",)), f"crypto ca enroll {tp}"),
        f"The tunnel authenticates with trustpoint {tp}, but {_SHOW} shows no available "
        f"certificate of the ASA's own for it{'' if has_ca else ' (nor its CA certificate)'}: "
        "the ASA has nothing to sign IKE authentication with, so phase 1 fails. Enroll the "
        "trustpoint (or import its certificate).",
    )


def _usage_issue(tp: str, refs: tuple[str, ...], cert: CaCertificate) -> ConfigIssue:
    return ConfigIssue(
        "IKE_CERT_INVALID",
        "critical",
        f"Trustpoint {tp}: {_name(cert)} is for {cert.usage} only",
        (*refs, *cert.lines),
        (f"{_SHOW} {tp}",),
        (f"crypto ca trustpoint {tp}", " ignore-ipsec-keyusage"),
        f"The identity certificate of trustpoint {tp} has Encryption usage only (the "
        "encryption half of a usage-keys enrollment), but IKE authentication is a signature: "
        "a validating ASA logs 717009 'key usage is invalid' and tears phase 1 down. "
        "`ignore-ipsec-keyusage` on the validating trustpoint stops the key-usage check; the "
        f"lasting fix is to enroll {tp} with a general-purpose key (crypto ca enroll {tp}).",
    )


def check_certificates(ctx: CheckContext) -> list[ConfigIssue]:
    """The trustpoint certificates of a certificate-authenticated tunnel: expired or not yet
    valid (CA or identity), missing or pending, or Encryption-only key usage."""
    if not _collected(ctx):
        return []
    issues: list[ConfigIssue] = []
    now = ctx.reference_time()
    for tp, refs in tunnel_trustpoints(ctx).items():
        certs = ctx.config.certificates(tp)
        available = tuple(c for c in certs if c.status.lower() != "pending")
        identities = tuple(c for c in available if c.is_identity)
        for group in (tuple(c for c in available if c.is_ca), identities):
            # a renewed certificate next to the old one: only a group with no valid one fails
            states = [(cert, _validity(cert, now)) for cert in group]
            if all(state for _, state in states):
                issues.extend(_validity_issue(ctx, tp, refs, c, s) for c, s in states)
        if not identities:
            if _collected_completely(ctx, tp):
                issues.append(_missing_issue(ctx, tp, refs, certs))
            continue
        if not any(c.usage.lower() in _SIGNING_USAGES for c in identities):
            issues.append(_usage_issue(tp, refs, identities[0]))
    return issues

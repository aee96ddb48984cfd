"""What the ASA offers a peer in phase 2, whether the tunnel is policy-based (a crypto map
entry) or route-based (the ``crypto ipsec profile`` of the VTI whose ``tunnel destination`` is
the peer).

The profile checks (PFS, transform set / proposal, IPsec lifetime, the IKE versions phase 1
must cover) only need the same handful of values from either source, plus how to quote and
how to change them: a crypto map setting is one line (``crypto map M 10 set pfs group14``),
an ipsec profile setting is a sub-command (``crypto ipsec profile P`` / `` set pfs group14``).
:class:`Phase2Offer` carries both, so each check has one code path for both kinds of tunnel.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from vpn_doctor.config_models import (
    CryptoConfig,
    CryptoMapEntry,
    IpsecProfile,
    TunnelInterface,
    ike_versions_of,
)
from vpn_doctor.diagnose.checks.base import CheckContext, lines_with


@dataclass(frozen=True)
class Phase2Offer:
    """The phase 2 settings towards one peer and where they are configured.

    ``name`` starts titles ("crypto map outside_map 10", "crypto ipsec profile P of Tunnel1"),
    ``short`` is the shorter form some titles use; ``lines`` are the device lines holding the
    settings, ``identity`` the lines tying them to the peer that ``lines`` do not hold (a VTI's
    header, ``tunnel destination`` and ``tunnel protection``); ``show`` the commands that
    display them. ``header`` is the block a setting goes under ("" for a crypto map entry,
    whose settings are whole lines).
    """

    name: str
    short: str
    ikev1_transform_sets: tuple[str, ...] = ()
    ikev2_ipsec_proposals: tuple[str, ...] = ()
    pfs_group: str | None = None
    sa_lifetime_seconds: int | None = None
    # Never initiates: `set connection-type answer-only` / the profile's `set responder-only`.
    responder_only: bool = False
    lines: tuple[str, ...] = ()
    identity: tuple[str, ...] = ()
    show: tuple[str, ...] = ()
    header: str = ""
    entry: CryptoMapEntry | None = None  # the crypto map entry, when that is the source

    @property
    def ike_versions(self) -> tuple[int, ...]:
        return ike_versions_of(self.ikev1_transform_sets, self.ikev2_ipsec_proposals)

    def set_lines(self, setting: str) -> tuple[str, ...]:
        """The configuration lines that apply ``setting`` ("set pfs group14")."""
        if self.header:
            return (self.header, f" {setting}")
        return (f"{self.name} {setting}",)

    def unset_lines(self, line: str) -> tuple[str, ...]:
        """The configuration lines that remove the configured ``line`` (as quoted)."""
        if self.header:
            return (self.header, f" no {line.strip()}")
        return (f"no {line}",)

    def unset(self, setting: str) -> tuple[str, ...]:
        """The configuration lines that remove ``setting`` ("set responder-only")."""
        if self.header:
            return (self.header, f" no {setting}")
        return (f"no {self.name} {setting}",)

    def responder_fix(self) -> tuple[str, ...]:
        """The lines that stop this side being answer-only: the crypto map's connection-type,
        or the profile's responder-only line as it is configured."""
        if not self.header:
            return self.unset("set connection-type answer-only")
        line = next(iter(lines_with(self.lines, "responder-only")), "responder-only")
        return self.unset(line.strip())

    def show_with(self, *commands: str) -> tuple[str, ...]:
        """``show`` followed by ``commands`` it does not already hold."""
        return (*self.show, *(c for c in commands if c not in self.show))


def _settings(source: CryptoMapEntry | IpsecProfile) -> Phase2Offer:
    """The phase 2 values ``source`` sets; the callers add where they live."""
    return Phase2Offer(
        name="",
        short="",
        ikev1_transform_sets=source.ikev1_transform_sets,
        ikev2_ipsec_proposals=source.ikev2_ipsec_proposals,
        pfs_group=source.pfs_group,
        sa_lifetime_seconds=source.sa_lifetime_seconds,
        lines=source.lines,
    )


def _from_entry(entry: CryptoMapEntry) -> Phase2Offer:
    return replace(
        _settings(entry),
        name=f"crypto map {entry.map_name} {entry.seq}",
        short=f"{entry.map_name} {entry.seq}",
        show=(f"show running-config crypto map | include {entry.map_name} {entry.seq}",),
        responder_only=entry.connection_type == "answer-only",
        entry=entry,
    )


def _from_vti(config: CryptoConfig, vti: TunnelInterface) -> Phase2Offer | None:
    """The offer of ``vti``'s ipsec profile; None when it names none or one that does not
    exist (:mod:`~vpn_doctor.diagnose.checks.vti` reports that)."""
    profile = config.ipsec_profile(vti.protection_profile) if vti.protection_profile else None
    if profile is None:
        return None
    return replace(
        _settings(profile),
        name=f"crypto ipsec profile {profile.name} of {vti.name}",
        short=f"ipsec profile {profile.name} ({vti.name})",
        identity=vti_identity(vti),
        show=(f"show running-config interface {vti.name}", "show running-config crypto ipsec"),
        header=f"crypto ipsec profile {profile.name}",
        responder_only=profile.responder_only,
    )


def vti_identity(vti: TunnelInterface) -> tuple[str, ...]:
    """The VTI lines naming its peer and its ipsec profile (with the interface header)."""
    return (vti.lines[:1] if vti.lines else ()) + lines_with(
        vti.lines, "tunnel destination", "tunnel protection"
    )


def phase2_offers(ctx: CheckContext) -> tuple[Phase2Offer, ...]:
    """The peer's static crypto map entries; without any, the ipsec profiles of its VTIs."""
    if ctx.entries:
        return tuple(_from_entry(e) for e in ctx.entries)
    return tuple(o for vti in ctx.vtis if (o := _from_vti(ctx.config, vti)) is not None)

"""Expected-peer profiles: what the far side of a tunnel will accept, as YAML data.

Why profiles exist
------------------
Half the configuration mistakes on an L2L tunnel are only mistakes *relative to the peer*:
``set pfs group2`` is right towards AWS and wrong towards a peer without PFS, a second crypto
ACL line is harmless towards another ASA and breaks an AWS tunnel. The ASA's own config cannot
tell us what the far side expects, so the engineer names it: ``--profile aws`` (shipped) or
``--profile ./partner-x.yaml`` (their own file). :mod:`vpn_doctor.diagnose.checks.run` compares the
configuration against it; the engine compares the negotiated SAs against it.

File format (``profiles/<name>.yaml``; see also profiles/README.md)
--------------------------------------------------------------------
::

    name: aws                          # required; how --profile finds it
    description: AWS Site-to-Site VPN  # free text
    ike_versions: [1, 2]               # IKE versions the peer accepts (1 and/or 2)
    mode: main                         # IKEv1 phase 1 mode: main | aggressive | any
    phase1:
      encryption: [aes128]             # expected IKE encryption (aes128, aes256, ...)
      hash: [sha1]                     # expected IKE hash / integrity (sha1, sha256, md5, ...)
      dh_group: [2]                    # expected DH groups (numbers)
      lifetime: 28800                  # IKE SA lifetime in seconds the peer uses
      accepted:                        # optional: what the peer also accepts (a superset)
        encryption: [aes128, aes256]
        hash: [sha1, sha256]
        dh_group: [2, 14]
    phase2:
      encryption: [aes128]             # expected ESP encryption
      integrity: [sha1]                # expected ESP integrity
      pfs_group: [2]                   # expected PFS groups; [none] = the peer uses no PFS
      lifetime_seconds: 3600           # IPsec SA lifetime in seconds the peer uses
      accepted:                        # optional, as in phase1 (pfs_group may list none)
        encryption: [aes128, aes256]
        integrity: [sha1, sha256]
        pfs_group: [2, 14]
    nat_t: true                        # the peer supports NAT traversal (UDP 4500)
    ports: [udp/500, udp/4500, esp]    # what must be open in the path
    tunnels_per_connection: 2          # tunnels the peer provides per connection
    far_side_initiates: false          # can the peer bring the tunnel up by itself?
    single_sa: true                    # one SA pair per tunnel (remote proxy 0.0.0.0/0)

Only ``name`` is required. An omitted list or value means "no expectation, do not check".

Expected vs accepted: the flat algorithm keys (``encryption``, ``hash`` / ``integrity``,
``dh_group`` / ``pfs_group``) are what the peer *expects* (its documented or configured
values); ``accepted`` lists what it will still *negotiate*. A value outside ``accepted`` is a
proposal mismatch (the tunnel cannot come up); a value inside ``accepted`` but not expected is
only a deviation. Each ``accepted`` list defaults to the expected list when absent (so a
profile without ``accepted`` behaves as before), and must contain every expected value.
Algorithm names are normalised (``aes``, ``AES128``, ``esp-aes`` all mean aes128; ``sha``,
``SHA1``, ``esp-sha-hmac`` all mean sha1), so a profile can use the peer vendor's spelling.
Unknown keys and wrong types are refused at load with an error naming the file and the key:
a typo must not silently turn a check off.

Compatibility with the engine's first profile shape
---------------------------------------------------
The engine began with a flat profile (``name, encryption, hash, dh_group, ike_lifetime,
ipsec_lifetime, pfs_group``). :meth:`PeerProfile.from_mapping` still accepts that shape,
:class:`PeerProfile` exposes the same flat attributes (the shipped AWS profile is read from
``profiles/aws.yaml`` alone, by :func:`shipped_profile`), and :func:`profile_deviations` compares a
tunnel's negotiated SAs with a profile
(with the expected values by default, as before; ``accepted_ok=True`` ignores negotiated
algorithms the peer accepts). The flat attributes are the *expected* values; the accepted ones
are ``phase1.accepted(key)`` / ``phase2.accepted(key)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from vpn_doctor import yaml_lines
from vpn_doctor.errors import InputError
from vpn_doctor.resources import profiles_dir
from vpn_doctor.yaml_lines import error_line

if TYPE_CHECKING:
    from vpn_doctor.diagnose.tunnel_context import TunnelContext


class ProfileError(InputError):
    """A profile file is missing, unreadable or invalid (exit code 17, like any bad input)."""


# ---- normalisation (shared with the checks, so config and profile compare one way) ----------


def normalise_encryption(value: str) -> str:
    """'aes', 'AES128', 'aes-256', 'esp-aes-192', 'aes-gcm-256' -> aes128 / aes256 / ..."""
    text = str(value).lower().strip()
    if "3des" in text:
        return "3des"
    if "aes" in text:
        size = re.search(r"(128|192|256)", text)
        kind = "aes-gcm" if "gcm" in text else "aes-gmac" if "gmac" in text else "aes"
        return f"{kind}{size.group(1) if size else '128'}"
    if "des" in text:
        return "des"
    if "null" in text or text == "esp-none":
        return "null"
    return text


def normalise_hash(value: str) -> str:
    """'sha', 'SHA1', 'sha-1', 'esp-sha-hmac' -> sha1; 'sha256', 'esp-sha256-hmac' -> sha256."""
    text = str(value).lower().replace("-", "").replace("_", "").strip()
    for bits in ("512", "384", "256"):
        if bits in text:
            return f"sha{bits}"
    if "sha" in text:
        return "sha1"
    if "md5" in text:
        return "md5"
    if text in ("espnone", "none", "null"):
        return "null"
    return text


def normalise_group(value: object) -> str:
    """2, '2', 'group2', 'Group 2' -> '2'; 'none' stays 'none'."""
    digits = re.search(r"(\d+)", str(value))
    return digits.group(1) if digits else str(value).strip().lower()


# ---- the model --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phase1Profile:
    """IKE SA expectations (normalised names; empty tuple / None = not checked).

    ``encryption`` / ``hash`` / ``dh_group`` are the *expected* values; the ``accepted_*``
    fields what the peer also negotiates (empty = the expected values, see :meth:`accepted`).
    """

    encryption: tuple[str, ...] = ()
    hash: tuple[str, ...] = ()
    dh_group: tuple[str, ...] = ()
    lifetime: int | None = None
    accepted_encryption: tuple[str, ...] = ()
    accepted_hash: tuple[str, ...] = ()
    accepted_dh_group: tuple[str, ...] = ()

    def accepted(self, key: str) -> tuple[str, ...]:
        """What the peer accepts for ``key`` (encryption, hash, dh_group): the ``accepted``
        list when the profile has one, else the expected values."""
        table = {
            "encryption": (self.accepted_encryption, self.encryption),
            "hash": (self.accepted_hash, self.hash),
            "dh_group": (self.accepted_dh_group, self.dh_group),
        }
        accepted, expected = table[key]
        return accepted or expected


@dataclass(frozen=True)
class Phase2Profile:
    """IPsec SA expectations. ``pfs_group == ("none",)`` means the peer does not use PFS.

    As in :class:`Phase1Profile`: the plain fields are expected, ``accepted_*`` (empty = the
    expected values) what the peer also negotiates; ``accepted_pfs_group`` may hold "none"
    beside groups (the peer negotiates with or without PFS).
    """

    encryption: tuple[str, ...] = ()
    integrity: tuple[str, ...] = ()
    pfs_group: tuple[str, ...] = ()
    lifetime_seconds: int | None = None
    accepted_encryption: tuple[str, ...] = ()
    accepted_integrity: tuple[str, ...] = ()
    accepted_pfs_group: tuple[str, ...] = ()

    def accepted(self, key: str) -> tuple[str, ...]:
        """What the peer accepts for ``key`` (encryption, integrity, pfs_group)."""
        table = {
            "encryption": (self.accepted_encryption, self.encryption),
            "integrity": (self.accepted_integrity, self.integrity),
            "pfs_group": (self.accepted_pfs_group, self.pfs_group),
        }
        accepted, expected = table[key]
        return accepted or expected

    @property
    def wants_pfs(self) -> bool | None:
        """True/False when the profile says, None when it does not."""
        if not self.pfs_group:
            return None
        return self.pfs_group != ("none",)


@dataclass(frozen=True)
class PeerProfile:
    """What the far side of a tunnel expects; loaded from YAML by :func:`load_profile`.

    The flat properties (``encryption``, ``hash``, ``dh_group``, ``ike_lifetime``,
    ``ipsec_lifetime``, ``pfs_group``) mirror the engine's first, built-in profile shape, so
    either can be handed to code written against the other.
    """

    name: str
    description: str = ""
    ike_versions: tuple[int, ...] = ()
    mode: str = ""  # "main" | "aggressive" | "any" | "" (not checked)
    phase1: Phase1Profile = field(default_factory=Phase1Profile)
    phase2: Phase2Profile = field(default_factory=Phase2Profile)
    nat_t: bool | None = None
    ports: tuple[str, ...] = ()
    tunnels_per_connection: int | None = None
    far_side_initiates: bool | None = None
    single_sa: bool = False
    source: str = ""  # the file it was loaded from

    @property
    def encryption(self) -> tuple[str, ...]:
        return self.phase1.encryption

    @property
    def hash(self) -> tuple[str, ...]:
        return self.phase1.hash

    @property
    def dh_group(self) -> tuple[str, ...]:
        return self.phase1.dh_group

    @property
    def ike_lifetime(self) -> int | None:
        return self.phase1.lifetime

    @property
    def ipsec_lifetime(self) -> int | None:
        return self.phase2.lifetime_seconds

    @property
    def pfs_group(self) -> tuple[str, ...]:
        return self.phase2.pfs_group

    @classmethod
    def from_mapping(cls, data: dict[str, Any], source: str = "<profile>") -> PeerProfile:
        """Build from a YAML mapping in the file format, or in the engine's flat shape
        (``{name, encryption, hash, dh_group, ike_lifetime, ipsec_lifetime, pfs_group}``)."""
        return profile_from_mapping(_unflatten(data), Path(source))


# ---- loading and validation -------------------------------------------------------------------

_TOP_KEYS = frozenset(
    (
        "name",
        "description",
        "ike_versions",
        "mode",
        "phase1",
        "phase2",
        "nat_t",
        "ports",
        "tunnels_per_connection",
        "far_side_initiates",
        "single_sa",
    )
)
_PHASE1_KEYS = frozenset(("encryption", "hash", "dh_group", "lifetime", "accepted"))
_PHASE2_KEYS = frozenset(("encryption", "integrity", "pfs_group", "lifetime_seconds", "accepted"))
_PHASE1_ACCEPTED_KEYS = frozenset(("encryption", "hash", "dh_group"))
_PHASE2_ACCEPTED_KEYS = frozenset(("encryption", "integrity", "pfs_group"))
# Normalised algorithm names a profile may use (what normalise_encryption / normalise_hash
# produce for the ASA's algorithms): anything else could never match a configuration, so a
# typo ('aes-258', 'sha265') is refused instead of turning into a permanent mismatch.
KNOWN_ENCRYPTION = frozenset(
    (
        "des",
        "3des",
        "aes128",
        "aes192",
        "aes256",
        "aes-gcm128",
        "aes-gcm192",
        "aes-gcm256",
        "aes-gmac128",
        "aes-gmac192",
        "aes-gmac256",
        "null",
    )
)
KNOWN_HASH = frozenset(("md5", "sha1", "sha256", "sha384", "sha512", "null"))
_MODES = frozenset(("main", "aggressive", "any"))
_PORT = re.compile(r"^(udp/\d{1,5}|tcp/\d{1,5}|esp|ah)$")


class _Reader:
    """Typed access to one mapping of a profile file; every error names file and key."""

    def __init__(self, path: Path, data: dict[str, Any], prefix: str = "") -> None:
        self.path = path
        self.data = data
        self.prefix = prefix

    def fail(self, key: str, message: str) -> ProfileError:
        return ProfileError(f"{self.path}: key '{self.prefix}{key}': {message}")

    def reject_unknown(self, allowed: frozenset[str]) -> None:
        for key in self.data:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                raise self.fail(str(key), f"unknown key (known: {known})")

    def text(self, key: str) -> str:
        value = self.data.get(key, "")
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.fail(key, f"expected text, got {type(value).__name__}")
        return value.strip()

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None or isinstance(value, bool):
            return value
        raise self.fail(key, f"expected true or false, got {value!r}")

    def number(self, key: str, *, minimum: int = 1) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.fail(key, f"expected a whole number >= {minimum}, got {value!r}")
        return value

    def items(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, (dict, list, bool)) or item is None:
                raise self.fail(key, f"expected a value or a list of values, got {item!r}")
        return tuple(str(item) for item in values)

    def section(self, key: str) -> _Reader:
        value = self.data.get(key)
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise self.fail(key, "expected a mapping")
        return _Reader(self.path, value, f"{self.prefix}{key}.")


def _groups(reader: _Reader, key: str, *, allow_none: bool) -> tuple[str, ...]:
    groups = tuple(normalise_group(v) for v in reader.items(key))
    for group in groups:
        if not (group.isdigit() or (allow_none and group == "none")):
            raise reader.fail(key, f"not a DH group: {group!r}")
    if "none" in groups and len(groups) > 1:
        raise reader.fail(key, "'none' cannot be combined with groups")
    return groups


def _algorithms(reader: _Reader, key: str, kind: str) -> tuple[str, ...]:
    """Normalised encryption (``kind`` "encryption") or hash names, each a known one."""
    normalise, known = (
        (normalise_encryption, KNOWN_ENCRYPTION)
        if kind == "encryption"
        else (normalise_hash, KNOWN_HASH)
    )
    values: list[str] = []
    for raw in reader.items(key):
        value = normalise(raw)
        text = str(raw).lower()
        if kind == "encryption":  # 'aes-258' would otherwise be aes128 (bare 'aes' is AES-128)
            bad_size = bool(re.search(r"\d{3}", text) and not re.search(r"128|192|256", text))
        else:  # 'sha2-265' would otherwise be sha1: no digits beyond the known ones
            bad_size = bool(
                re.search(r"\d", re.sub(r"sha-?2-(?=\d)|256|384|512|sha-?1|md5", "", text))
            )
        if value not in known or bad_size:
            raise reader.fail(key, f"unknown {kind} {raw!r} (known: {', '.join(sorted(known))})")
        values.append(value)
    return tuple(dict.fromkeys(values))


def _superset(reader: _Reader, key: str, accepted: tuple[str, ...], expected: tuple[str, ...],
              where: str) -> None:  # fmt: skip
    """An ``accepted`` list must hold every expected value (else the profile contradicts
    itself: the peer would expect what it refuses)."""
    missing = [value for value in expected if value not in accepted]
    if accepted and missing:
        raise reader.fail(
            key, f"does not include the expected {', '.join(missing)} (from '{where}')"
        )


def profile_from_mapping(data: object, path: Path) -> PeerProfile:
    """Validate one parsed YAML document and build the profile (``path`` names errors)."""
    if not isinstance(data, dict):
        raise ProfileError(
            f"{path}: a profile must be a mapping of keys, got {type(data).__name__}"
        )
    top = _Reader(path, data)
    top.reject_unknown(_TOP_KEYS)
    name = top.text("name")
    if not name:
        raise top.fail("name", "required")
    mode = top.text("mode").lower()
    if mode and mode not in _MODES:
        raise top.fail("mode", f"expected one of {', '.join(sorted(_MODES))}, got {mode!r}")
    versions: list[int] = []
    for item in top.items("ike_versions"):
        digits = normalise_group(item)
        if digits not in ("1", "2"):
            raise top.fail("ike_versions", f"expected 1 and/or 2, got {item!r}")
        versions.append(int(digits))
    ports = tuple(p.lower() for p in top.items("ports"))
    for port in ports:
        if not _PORT.match(port):
            raise top.fail("ports", f"expected udp/N, tcp/N, esp or ah, got {port!r}")

    phase1 = _phase1(top.section("phase1"))
    phase2 = _phase2(top.section("phase2"))
    return PeerProfile(
        name=name,
        description=top.text("description"),
        ike_versions=tuple(dict.fromkeys(versions)),
        mode=mode,
        phase1=phase1,
        phase2=phase2,
        nat_t=top.flag("nat_t"),
        ports=ports,
        tunnels_per_connection=top.number("tunnels_per_connection"),
        far_side_initiates=top.flag("far_side_initiates"),
        single_sa=bool(top.flag("single_sa")),
        source=str(path),
    )


def _phase1(p1: _Reader) -> Phase1Profile:
    p1.reject_unknown(_PHASE1_KEYS)
    acc = p1.section("accepted")
    acc.reject_unknown(_PHASE1_ACCEPTED_KEYS)
    phase1 = Phase1Profile(
        encryption=_algorithms(p1, "encryption", "encryption"),
        hash=_algorithms(p1, "hash", "hash"),
        dh_group=_groups(p1, "dh_group", allow_none=False),
        lifetime=p1.number("lifetime", minimum=60),
        accepted_encryption=_algorithms(acc, "encryption", "encryption"),
        accepted_hash=_algorithms(acc, "hash", "hash"),
        accepted_dh_group=_groups(acc, "dh_group", allow_none=False),
    )
    for key, accepted, expected in (
        ("encryption", phase1.accepted_encryption, phase1.encryption),
        ("hash", phase1.accepted_hash, phase1.hash),
        ("dh_group", phase1.accepted_dh_group, phase1.dh_group),
    ):
        _superset(acc, key, accepted, expected, f"{p1.prefix}{key}")
    return phase1


def _phase2(p2: _Reader) -> Phase2Profile:
    p2.reject_unknown(_PHASE2_KEYS)
    acc = p2.section("accepted")
    acc.reject_unknown(_PHASE2_ACCEPTED_KEYS)
    accepted_pfs = tuple(dict.fromkeys(normalise_group(v) for v in acc.items("pfs_group")))
    for group in accepted_pfs:
        if not (group.isdigit() or group == "none"):
            raise acc.fail("pfs_group", f"not a DH group: {group!r}")
    phase2 = Phase2Profile(
        encryption=_algorithms(p2, "encryption", "encryption"),
        integrity=_algorithms(p2, "integrity", "hash"),
        pfs_group=_groups(p2, "pfs_group", allow_none=True),
        lifetime_seconds=p2.number("lifetime_seconds", minimum=60),
        accepted_encryption=_algorithms(acc, "encryption", "encryption"),
        accepted_integrity=_algorithms(acc, "integrity", "hash"),
        accepted_pfs_group=accepted_pfs,
    )
    for key, accepted, expected in (
        ("encryption", phase2.accepted_encryption, phase2.encryption),
        ("integrity", phase2.accepted_integrity, phase2.integrity),
        ("pfs_group", phase2.accepted_pfs_group, phase2.pfs_group),
    ):
        _superset(acc, key, accepted, expected, f"{p2.prefix}{key}")
    return phase2


_FLAT_KEYS = frozenset(
    ("encryption", "hash", "dh_group", "ike_lifetime", "ipsec_lifetime", "pfs_group")
)


def _unflatten(data: dict[str, Any]) -> dict[str, Any]:
    """The engine's flat profile keys moved to ``phase1`` / ``phase2``; others untouched."""
    if not isinstance(data, dict) or not _FLAT_KEYS & set(data):
        return data
    out = {k: v for k, v in data.items() if k not in _FLAT_KEYS}
    phase1 = dict(out.get("phase1") or {})
    phase2 = dict(out.get("phase2") or {})
    for key in ("encryption", "hash", "dh_group"):
        if key in data:
            phase1[key] = data[key]
    if "ike_lifetime" in data:
        phase1["lifetime"] = data["ike_lifetime"]
    if "ipsec_lifetime" in data:
        phase2["lifetime_seconds"] = data["ipsec_lifetime"]
    if "pfs_group" in data:
        phase2["pfs_group"] = data["pfs_group"]
    out["phase1"], out["phase2"] = phase1, phase2
    return out


@cache
def shipped_profile(name: str) -> PeerProfile:
    """A profile that ships with the package (``profiles/<name>.yaml``), read once.

    The YAML file is the single source of its values: the engine asks for the AWS profile by
    name when it sees AWS hints, the same file ``--profile aws`` reads.
    """
    return load_profile(name)


def _is_path(name_or_path: str | Path) -> bool:
    text = str(name_or_path)
    return isinstance(name_or_path, Path) or "/" in text or text.endswith((".yaml", ".yml"))


def profile_path(name_or_path: str | Path) -> Path:
    """The file ``load_profile`` would read: a path as given, or ``profiles/<name>.yaml``."""
    if _is_path(name_or_path):
        return Path(name_or_path)
    return profiles_dir() / f"{str(name_or_path).lower()}.yaml"


def available_profiles() -> tuple[str, ...]:
    """Names of the profiles in the profiles directory (shipped and user-added)."""
    directory = profiles_dir()
    if not directory.is_dir():
        return ()
    return tuple(sorted(p.stem for p in directory.glob("*.yaml")))


def load_profile(name_or_path: str | Path) -> PeerProfile:
    """Load and validate a profile by name (``aws``) or by file path.

    Raises :class:`ProfileError` (an :class:`~vpn_doctor.errors.InputError`) for a missing
    file, bad YAML or an invalid key; the message names the file and the key.
    """
    path = profile_path(name_or_path)
    if not path.is_file():
        known = ", ".join(available_profiles()) or "none"
        hint = "" if _is_path(name_or_path) else f" (known profiles: {known})"
        raise ProfileError(f"{path}: no such profile file{hint}")
    try:
        data = yaml_lines.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise ProfileError(f"{path}: cannot read: {err}") from err
    except yaml.YAMLError as err:
        line = error_line(err)
        where = f" line {line}" if line is not None else ""
        raise ProfileError(f"{path}:{where} invalid YAML: {err}") from err
    return profile_from_mapping(data, path)


# ---- negotiated SAs vs a profile (the engine's check) -------------------------------------


def profile_deviations(
    ctx: TunnelContext, profile: PeerProfile, *, accepted_ok: bool = False
) -> list[tuple[str, str]]:
    """(parameter, device line) pairs where the tunnel differs from ``profile``.

    By default a negotiated algorithm differs when it is not an *expected* value. With
    ``accepted_ok`` only values outside the peer's *accepted* lists count (a negotiated
    AES-256 towards AWS is then no deviation); lifetimes are compared either way.
    """
    found: list[tuple[str, str]] = []
    p1, p2 = profile.phase1, profile.phase2
    enc_allowed = p1.accepted("encryption") if accepted_ok else profile.encryption
    hash_allowed = p1.accepted("hash") if accepted_ok else profile.hash
    dh_allowed = p1.accepted("dh_group") if accepted_ok else profile.dh_group
    pfs_allowed = p2.accepted("pfs_group") if accepted_ok else profile.pfs_group

    def check(param: str, value: str, allowed: tuple[str, ...], lines: tuple[str, ...]) -> None:
        if value and allowed and value not in allowed:
            line = next((ln for ln in lines if param.split()[0].lower() in ln.lower()), "")
            found.append((param, line or f"{param}: {value}"))

    for sa in ctx.ike_sas:
        check(
            "Encryption",
            normalise_encryption(sa.encryption) if sa.encryption else "",
            enc_allowed,
            sa.lines,
        )
        check("Hash", normalise_hash(sa.hash) if sa.hash else "", hash_allowed, sa.lines)
        check(
            "DH group",
            normalise_group(sa.dh_group) if sa.dh_group else "",
            dh_allowed,
            sa.lines,
        )
        if profile.ike_lifetime and sa.lifetime and sa.lifetime != profile.ike_lifetime:
            found.append(("Lifetime", next((ln for ln in sa.lines if "Lifetime" in ln), "")))
    for session in ctx.sessions:
        for ike in session.ike:
            check(
                "Encryption",
                normalise_encryption(ike.encryption) if ike.encryption else "",
                enc_allowed,
                ike.lines,
            )
            check(
                "Hashing",
                normalise_hash(ike.hashing) if ike.hashing else "",
                hash_allowed,
                ike.lines,
            )
            check(
                "D/H Group",
                normalise_group(ike.dh_group) if ike.dh_group else "",
                dh_allowed,
                ike.lines,
            )
            if (
                profile.ike_lifetime
                and ike.rekey_interval
                and ike.rekey_interval != profile.ike_lifetime
            ):
                found.append(("Rekey Int", next((ln for ln in ike.lines if "Rekey Int" in ln), "")))
        for sub in session.ipsec:
            check(
                "PFS Group",
                normalise_group(sub.pfs_group) if sub.pfs_group else "",
                pfs_allowed,
                sub.lines,
            )
            if (
                profile.ipsec_lifetime
                and sub.rekey_interval
                and sub.rekey_interval != profile.ipsec_lifetime
            ):
                found.append(("Rekey Int", next((ln for ln in sub.lines if "Rekey Int" in ln), "")))
    return found

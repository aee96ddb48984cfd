"""Mask pre-shared keys, passwords and communities before anything leaves memory.

Snapshots get attached to tickets and mailed to vendors; a single unmasked tunnel-group
``ikev1 pre-shared-key`` in one would hand out the keys to the VPN. The ASA itself prints
``*****`` in ``show running-config``, but ``more system:running-config``, a pasted log or
an older PIX/IOS box does not, so we mask every form we know, on every path that writes.

Each rule matches a secret-bearing keyword and replaces *only the secret token* after it with
``*****``, so the line keeps its shape (``username bob password ***** privilege 15``) and the
evidence stays readable. Masking is idempotent: an already-masked ``*****`` stays as it is.
Matching is case-sensitive on purpose: ASA config keywords are lower case, while show output
has capitalised labels such as "Key Usage:" that must not be masked.
"""

from __future__ import annotations

import re

MASK = "*****"

# An optional IOS-style key type digit ("0 <clear>", "7 <obfuscated>") in front of the secret,
# consumed only when another token follows it (so a key that *is* "7" is still masked).
_TYPE = r"(?:[0-9][ \t]+(?=\S))?"
# ``hex`` in front of a key given in hexadecimal (``pre-shared-key hex 0a1b...``,
# ``failover key hex ...``): consumed only when another token follows it.
_HEX = r"(?:hex[ \t]+(?=\S))?"
# Not preceded by a letter, digit or '-', so "send-community both" is not taken for a key.
_START = r"(?<![\w-])"
_MASKED = re.escape("*****")

_RULES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(pattern, re.MULTILINE)
    for pattern in (
        # tunnel-group ipsec-attributes: ikev1 pre-shared-key X, pre-shared-key X,
        # ikev2 local-authentication / remote-authentication pre-shared-key X
        # ... pre-shared-key [hex|8|0] X
        rf"{_START}pre-shared-key[ \t]+{_TYPE}{_HEX}(?P<secret>\S+)",
        # PIX / IOS: [crypto] isakmp key X address 1.2.3.4
        rf"{_START}isakmp[ \t]+key[ \t]+{_TYPE}(?P<secret>\S+)",
        # username U password|secret X [encrypted|pbkdf2] [privilege N]
        rf"{_START}username[ \t]+\S+[ \t]+(?:password|secret)[ \t]+{_TYPE}(?P<secret>\S+)",
        # enable password X / enable secret X / passwd X / a bare "password X" config line
        rf"^[ \t]*(?:enable[ \t]+)?(?:password|secret|passwd)[ \t]+{_TYPE}(?P<secret>\S+)",
        # aaa-server host sub-mode: " key X"; failover key [hex] X; key-string X (key chains)
        # key config-key password-encryption NEW [OLD] (the master key; both tokens)
        rf"{_START}config-key[ \t]+password-encryption[ \t]+(?P<secret>\S+)",
        rf"{_START}config-key[ \t]+password-encryption[ \t]+{_MASKED}[ \t]+(?P<secret>\S+)",
        rf"^[ \t]*key[ \t]+(?!config-key\b){_TYPE}(?P<secret>\S+)",
        rf"{_START}failover[ \t]+key[ \t]+(?:hex[ \t]+)?(?P<secret>\S+)",
        # interface: authentication key eigrp AS X key-id N; rip authentication key X key_id N
        rf"{_START}authentication[ \t]+key[ \t]+(?:eigrp[ \t]+\d+[ \t]+)?{_TYPE}(?P<secret>\S+)",
        # aaa-server: radius-common-pw X
        rf"{_START}radius-common-pw[ \t]+{_TYPE}(?P<secret>\S+)",
        # snmp-server user U G v3 [encrypted] auth sha X priv aes 256 Y
        rf"{_START}auth[ \t]+(?:md5|sha\d*)[ \t]+(?P<secret>\S+)",
        rf"{_START}priv[ \t]+(?:3des|des|aes)(?:[ \t]+(?:128|192|256))?[ \t]+(?P<secret>\S+)",
        rf"{_START}key-string[ \t]+{_TYPE}(?P<secret>\S+)",
        # ntp authentication-key 1 md5 X; ospf authentication-key X / message-digest-key 1 md5 X
        rf"{_START}(?:authentication-key|message-digest-key)[ \t]+(?:\d+[ \t]+(?=\S))?"
        rf"(?:(?:md5|sha1|sha256|sha512)[ \t]+)?(?P<secret>\S+)",
        # snmp-server community X; snmp-server host ... community X version 2c
        rf"{_START}community[ \t]+{_TYPE}(?P<secret>\S+)",
        # ldap-login-password X; BGP neighbor N password X
        rf"{_START}ldap-login-password[ \t]+(?P<secret>\S+)",
        rf"{_START}neighbor[ \t]+\S+[ \t]+password[ \t]+{_TYPE}(?P<secret>\S+)",
    )
)


def _replace(match: re.Match[str]) -> str:
    keep = match.group(0)[: match.start("secret") - match.start()]
    return keep + MASK


# Every rule above needs one of these words on the line (the rules never span lines), so a
# line without any of them is left alone: a 5,000-tunnel `show crypto ipsec sa` is masked in
# a few milliseconds instead of 23 full-text regex passes (watch polls it every few seconds).
_HINT = re.compile(r"key|pass|secret|auth|priv|community|radius-common-pw")


def mask_secrets(text: str) -> str:
    """Return ``text`` with every known secret token replaced by ``*****``."""
    if not _HINT.search(text):
        return text
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if _HINT.search(line):
            for rule in _RULES:
                line = rule.sub(_replace, line)
            lines[index] = line
    return "\n".join(lines)

"""asyncssh for the mock, imported in one place and without the DSA deprecation noise.

Why this module: asyncssh evaluates cryptography's public DSA names while it is imported
(the key-type unions in ``asyncssh/crypto/misc.py``, the signatures in ``crypto/dsa.py``),
and cryptography 51 deprecated DSA, so every import printed five
``CryptographyDeprecationWarning: DSA is deprecated ...`` lines on stderr: on every
``vpn-doctor demo`` and ``vpn-doctor mock`` run and in pytest's warnings summary.

What was checked before settling on a filter (2026-12, asyncssh 2.24.1 = the newest release,
cryptography 51.0.1):
- no import path avoids it: ``asyncssh/__init__.py`` imports its ``dsa`` module
  unconditionally, and ``crypto/misc.py`` (imported by everything) names ``dsa.DSAPrivateKey``
  at module level; no asyncssh release uses cryptography's non-warning aliases yet;
- pinning ``cryptography<51`` would hold a security library back for everyone who installs
  vpn-doctor, to hide a message;
- the mock itself never uses DSA: its host key is Ed25519 (``device.py``, ``runner.py``), so
  ``ssh-dss`` is never offered, and netmiko/paramiko never load a DSA key from it.

So the import runs under a filter for exactly this warning: category
``CryptographyDeprecationWarning``, message ``DSA is deprecated``, attributed to asyncssh's
own modules, for the duration of the import only. Any other warning, or this one raised
later or from other code (a DSA key actually loaded), still shows. Drop the filter when
asyncssh stops touching the DSA names at import (tests/test_quiet.py fails loudly then
only if the noise comes back, so also check by hand: ``python -W always -c "import
asyncssh"``).

Every mock module imports asyncssh from here (``from mock_device.sshlib import asyncssh``);
tests/test_quiet.py checks that no other module imports it directly.
"""

from __future__ import annotations

import warnings

from cryptography.utils import CryptographyDeprecationWarning

with warnings.catch_warnings():
    warnings.filterwarnings(
        "ignore",
        message=r"DSA is deprecated",
        category=CryptographyDeprecationWarning,
        module=r"asyncssh(\.|$)",
    )
    import asyncssh

__all__ = ["asyncssh"]

# The `legacy_ssh` scenario offers diffie-hellman-group1/14-sha1 as an old ASA does; asyncssh
# computes them with cryptography's finite-field DH, which warns on every key exchange. That
# is the emulated device's weakness on purpose (vpn-doctor's side, paramiko, does not warn),
# so the warning is ignored for asyncssh's DH module only, for this process.
warnings.filterwarnings(
    "ignore",
    message=r"Diffie-Hellman over finite fields",
    category=CryptographyDeprecationWarning,
    module=r"asyncssh\.crypto\.dh$",
)

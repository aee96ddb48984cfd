"""The per-session send policy (issue 13, item 2): debug only after a peer condition unless
forced, every debug registered for undo whatever path sent it, show tech-support refused."""

from __future__ import annotations

import pytest

from vpn_doctor.collect.guard import SendPolicy
from vpn_doctor.errors import CommandNotAllowed


def test_debug_without_condition_is_refused_unless_forced() -> None:
    policy = SendPolicy()
    with pytest.raises(CommandNotAllowed, match="condition"):
        policy.check("debug crypto ikev1 200")
    policy.check("debug crypto condition peer 203.0.113.9")  # the condition itself is fine
    policy.sent("debug crypto condition peer 203.0.113.9")
    policy.check("debug crypto ikev1 200")
    forced = SendPolicy(force_debug=True)
    forced.check("debug crypto ikev2 protocol 255")


def test_every_debug_sent_is_registered_for_undo_and_undos_clear_it() -> None:
    policy = SendPolicy(force_debug=True)
    for command in (
        "debug crypto condition peer 203.0.113.9",
        "debug crypto ikev1 200",
        "debug crypto ikev2 protocol 255",
        "debug crypto ipsec",
    ):
        policy.sent(command)
    assert policy.undo_commands() == [
        "no debug crypto ikev1",
        "no debug crypto ikev2 protocol",
        "no debug crypto ipsec",
        "no debug crypto condition",
    ]
    policy.sent("no debug crypto ipsec")
    assert "no debug crypto ipsec" not in policy.undo_commands()
    policy.sent("undebug all")
    assert policy.undo_commands() == ["no debug crypto condition"]
    policy.sent("no debug crypto condition")
    assert policy.undo_commands() == []


def test_show_tech_support_refused_unless_allowed() -> None:
    with pytest.raises(CommandNotAllowed, match="tech-support"):
        SendPolicy().check("show tech-support")
    SendPolicy(allow_tech_support=True).check("show tech-support")

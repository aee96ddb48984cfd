"""The read-only allowlist: what may reach a production firewall, and what never does."""

from __future__ import annotations

import pytest

from vpn_doctor.collect.allowlist import check_allowed, expand_command
from vpn_doctor.errors import CommandNotAllowed, ExitCode


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("show crypto isakmp sa", "show crypto isakmp sa"),
        ("sh cry isa sa", "show crypto isakmp sa"),
        ("SH  CRY   ISA SA", "show crypto isakmp sa"),
        ("sho ver", "show version"),
        ("sh cry ipsec sa", "show crypto ipsec sa"),
        ("sh cry ips sa pe 203.0.113.9", "show crypto ipsec sa peer 203.0.113.9"),
        ("sh vpn-s det l2l", "show vpn-sessiondb detail l2l"),
        (
            "sh vpn det l2l fil ip 203.0.113.9",
            "show vpn-sessiondb detail l2l filter ipaddress 203.0.113.9",
        ),
        ("show run crypto map", "show running-config crypto map"),
        ("show running-config", "show running-config"),
        ("sh run tunnel-group 203.0.113.9", "show running-config tunnel-group 203.0.113.9"),
        ("show logging", "show logging"),
        ("show curpriv", "show curpriv"),
        ("sh debug", "show debug"),
        ("show clock", "show clock"),
        ("show interface ip brief", "show interface ip brief"),
        ("debug crypto condition peer 203.0.113.9", "debug crypto condition peer 203.0.113.9"),
        ("deb cry cond peer 203.0.113.9", "debug crypto condition peer 203.0.113.9"),
        ("debug crypto isakmp 127", "debug crypto isakmp 127"),
        ("debug crypto isakmp", "debug crypto isakmp"),
        ("debug crypto ikev1 200", "debug crypto ikev1 200"),
        ("debug crypto ikev2 protocol 127", "debug crypto ikev2 protocol 127"),
        ("debug crypto ikev2 platform 64", "debug crypto ikev2 platform 64"),
        ("debug crypto ipsec 1", "debug crypto ipsec 1"),
        ("undebug all", "undebug all"),
        ("u all", "undebug all"),
        ("no debug all", "no debug all"),
        ("no debug crypto condition", "no debug crypto condition"),
        ("no debug crypto isakmp 127", "no debug crypto isakmp 127"),
        ("terminal pager 0", "terminal pager 0"),
        ("ter pa 0", "terminal pager 0"),
        ("terminal pager lines 0", "terminal pager lines 0"),
        ("terminal monitor", "terminal monitor"),
        ("term mon", "terminal monitor"),
        ("terminal no monitor", "terminal no monitor"),
        (
            "packet-tracer input outside tcp 198.51.100.7 1025 10.1.1.10 443",
            "packet-tracer input outside tcp 198.51.100.7 1025 10.1.1.10 443",
        ),
        ("show run | include tunnel-group", "show running-config | include tunnel-group"),
        ("sh run | i crypto|tunnel", "show running-config | include crypto|tunnel"),
        ("sh run | inc crypto|tunnel", "show running-config | include crypto|tunnel"),
        ("show logging | begin 713", "show logging | begin 713"),
        ("show log | ex ASA-6", "show logging | exclude ASA-6"),
        ("show run | grep -v access", "show running-config | grep -v access"),
        (
            "show run | in crypto map | ex dynamic",
            "show running-config | include crypto map | exclude dynamic",
        ),
    ],
)
def test_allowed_commands_are_normalised(typed: str, canonical: str) -> None:
    assert check_allowed(typed) == canonical


@pytest.mark.parametrize(
    "command",
    [
        # configuration and state-changing commands, also abbreviated
        "configure terminal",
        "conf t",
        "write memory",
        "wr mem",
        "write erase",
        "reload",
        "rel",
        "copy running-config tftp://198.51.100.1/x",
        "clear crypto isakmp sa",
        "cle cry isa sa",
        "clear configure all",
        "crypto map outside_map 10 set peer 203.0.113.9",
        "no crypto map outside_map 10",
        "no tunnel-group 203.0.113.9",
        "no shutdown",
        "delete disk0:/asa.bin",
        "erase disk0:",
        "format disk0:",
        "changeto context",  # allowed only as `changeto context NAME` (issue 14)
        "chang cont admin",
        "enable",
        "exit",
        "login",
        "capture cap1 interface outside",
        "more system:running-config",
        "failover active",
        # "sh" prefix abuse: not show
        "shutdown",
        "shun 198.51.100.7",
        "showx version",
        "shows version",
        "sh",
        "show",
        "s ver",
        # chaining, newlines, control characters, context help
        "show run | include x ; reload",
        "show version; reload",
        "show version\nreload",
        "show version\rreload",
        "show version\x03",
        "show ver\x00",
        "show run ?",
        "show version \u00e9",
        # pipes that write or redirect
        "show run | redirect disk0:/run.txt",
        "show run | red disk0:/x",
        "show run | include crypto | redirect disk0:/x",
        "show run | append disk0:/x",
        "show run | tee disk0:/x",
        "show run |",
        "show run | reload",
        "show run | include",
        "debug crypto isakmp 127 | include x",
        # debugs outside the conditional set
        "debug crypto ca 255",
        "debug packet",
        "debug menu",
        "debug all",
        "debug crypto isakmp 0",
        "debug crypto isakmp 256",
        "debug crypto isakmp high",
        "debug crypto condition peer fw2.example.net",
        "debug crypto condition peer",
        "debug crypto condition peer 203.0.113.9 extra",
        "undebug crypto isakmp",
        "undebug",
        "no terminal monitor",
        # terminal settings that are not simple
        "terminal pager abc",
        "terminal width 9999",
        "terminal width 511",  # configuration mode on the ASA: never
        "term wid 511",
        # output redirection, heavy commands, unbounded lines (issue 13)
        "show running-config > disk0:/run.txt",
        "show run | redirect disk0:/x",
        "show run | append disk0:/x",
        "show run | tee disk0:/x",
        "show tech-support",
        "sh tech",
        "show tech-support detail",
        "show version " + "x" * 600,
        "terminal interactive",
        # packet-tracer without input
        "packet-tracer output",
        "packet-tracer",
        "",
        "   ",
    ],
)
def test_refused_commands_raise_before_sending(command: str) -> None:
    with pytest.raises(CommandNotAllowed) as info:
        check_allowed(command)
    assert info.value.exit_code == ExitCode.NOT_ALLOWED


def test_refusal_message_names_the_command_and_the_rule() -> None:
    with pytest.raises(CommandNotAllowed) as info:
        check_allowed("cle cry isa sa")
    text = str(info.value)
    assert "cle cry isa sa" in text
    assert "read-only" in text


def test_non_string_is_refused() -> None:
    with pytest.raises(CommandNotAllowed):
        check_allowed(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "expanded"),
    [
        ("sh cry isa sa", "show crypto isakmp sa"),
        ("cl cry isa sa", "cl cry isa sa"),  # ambiguous first word: left as typed
        ("cle cry isa sa", "clear cry isa sa"),  # clear has no known keywords: rest verbatim
        ("sh run | i PSK", "show running-config | include PSK"),
        ("show run |", "show running-config |"),  # never raises
        ("sh ver", "show version"),
        ("  ", ""),
    ],
)
def test_expand_command_never_raises(typed: str, expanded: str) -> None:
    assert expand_command(typed) == expanded


def test_arguments_keep_their_case() -> None:
    assert check_allowed("sh run tunnel-group AWS-Tunnel1") == (
        "show running-config tunnel-group AWS-Tunnel1"
    )
    assert check_allowed("show run | include Key") == "show running-config | include Key"


def test_undo_of_any_crypto_debug_is_allowed() -> None:
    # `vpn-doctor undebug` turns off whatever crypto debug `show debug` lists
    assert check_allowed("no debug crypto ca") == "no debug crypto ca"
    assert check_allowed("no debug crypto engine 1") == "no debug crypto engine 1"


def test_show_tech_support_only_when_asked_for() -> None:
    assert check_allowed("sh tech", allow_tech_support=True) == "show tech-support"
    assert check_allowed("show tech-support", allow_tech_support=True) == "show tech-support"


def test_filters_may_still_contain_angle_brackets() -> None:
    # Only the command part may not redirect; a filter regex is just a regex.
    assert check_allowed("show logging | include ->") == "show logging | include ->"

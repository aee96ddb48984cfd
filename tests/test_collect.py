"""collect() against a scripted runner: order, per-peer variants, rejections, partial data."""

from __future__ import annotations

import pytest

from vpn_doctor.asa.commands import DEFAULT_COLLECTION, SHOW_ISAKMP_SA, SHOW_VERSION
from vpn_doctor.collect.collector import (
    collect,
    device_info,
    plan,
    rejected_commands,
    validate_peer,
)
from vpn_doctor.errors import (
    CollectionInterrupted,
    CommandNotAllowed,
    CommandRejected,
    DeviceError,
    DeviceTimeout,
    ExitCode,
    InputError,
    SessionLost,
    VpnDoctorError,
)

VERSION = """\
Cisco Adaptive Security Appliance Software Version 9.12(4)
Firepower Extensible Operating System Version 2.6(1.169)
Device Manager Version 7.12(2)

Compiled on Tue 24-Mar-20 10:34 PDT by builders
System image file is "disk0:/asa9-12-4-smp-k8.bin"
Config file at boot was "startup-config"

fw1 up 3 days 4 hours

Hardware:   ASA5516, 8192 MB RAM, CPU Atom C2000 series 2416 MHz, 1 CPU (8 cores)
"""


class ScriptedRunner:
    """A CommandRunner that answers from a dict and can fail on a chosen command."""

    def __init__(
        self,
        outputs: dict[str, str] | None = None,
        errors: dict[str, BaseException] | None = None,
    ) -> None:
        self.outputs = outputs or {}
        self.errors = errors or {}
        self.sent: list[str] = []
        self.hostname = "fw1"

    @property
    def host(self) -> str:
        return "192.0.2.1"

    def run(self, command: str) -> str:
        self.sent.append(command)
        if command in self.errors:
            raise self.errors[command]
        return self.outputs.get(command, "")


def test_default_collection_in_order() -> None:
    runner = ScriptedRunner({SHOW_VERSION: VERSION, SHOW_ISAKMP_SA: "There are no IKEv1 SAs"})
    snapshot = collect(runner)
    assert runner.sent == list(DEFAULT_COLLECTION)
    assert list(snapshot.outputs) == list(DEFAULT_COLLECTION)
    assert snapshot.outputs[SHOW_ISAKMP_SA] == "There are no IKEv1 SAs"
    assert snapshot.device.hostname == "fw1"
    assert snapshot.device.version == "9.12(4)"
    assert snapshot.device.model == "ASA5516"
    assert snapshot.source == "live:192.0.2.1"
    assert snapshot.peer is None
    assert snapshot.collected_at.endswith("+00:00")


def test_peer_uses_filtered_commands_under_their_own_names() -> None:
    runner = ScriptedRunner()
    snapshot = collect(runner, peer="203.0.113.9")
    assert runner.sent == [
        "show version",
        "show crypto isakmp sa",
        "show crypto ipsec sa peer 203.0.113.9",
        "show vpn-sessiondb detail l2l filter ipaddress 203.0.113.9",
    ]
    assert "show crypto ipsec sa peer 203.0.113.9" in snapshot.outputs
    assert "show crypto ipsec sa" not in snapshot.outputs
    assert snapshot.peer == "203.0.113.9"


@pytest.mark.parametrize("peer", ["fw2.example.net", "203.0.113.9; reload", "1.2.3", ""])
def test_peer_must_be_an_ip(peer: str) -> None:
    with pytest.raises(InputError):
        validate_peer(peer)


def test_bad_peer_fails_before_anything_is_sent() -> None:
    runner = ScriptedRunner()
    with pytest.raises(InputError):
        collect(runner, peer="203.0.113.9 | redirect x")
    assert runner.sent == []


def test_commands_are_allow_listed_up_front() -> None:
    runner = ScriptedRunner()
    with pytest.raises(CommandNotAllowed):
        collect(runner, commands=("show version", "clear crypto isakmp sa"))
    assert runner.sent == []


def test_plan_normalises_abbreviations() -> None:
    assert plan(None, ("sh ver", "sh cry isa sa")) == ["show version", "show crypto isakmp sa"]


def test_rejected_command_is_recorded_and_collection_continues() -> None:
    rejection = "        ^\nERROR: % Invalid input detected at '^' marker."
    runner = ScriptedRunner(
        errors={
            "show vpn-sessiondb detail l2l": CommandRejected(
                "rejected", host="192.0.2.1", command="x", output=rejection
            )
        }
    )
    snapshot = collect(runner, commands=("show vpn-sessiondb detail l2l", "show version"))
    assert snapshot.outputs["show vpn-sessiondb detail l2l"] == rejection
    assert "show version" in snapshot.outputs
    assert rejected_commands(snapshot) == ["show vpn-sessiondb detail l2l"]


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (SessionLost("gone", host="192.0.2.1"), ExitCode.TIMEOUT),
        (DeviceTimeout("slow"), ExitCode.TIMEOUT),
    ],
)
def test_device_error_mid_way_keeps_what_was_gathered(error: DeviceError, code: int) -> None:
    runner = ScriptedRunner(
        {SHOW_VERSION: VERSION, SHOW_ISAKMP_SA: "IKEv1 SAs:"},
        errors={"show crypto ipsec sa": error},
    )
    with pytest.raises(CollectionInterrupted) as info:
        collect(runner)
    exc = info.value
    assert isinstance(exc, VpnDoctorError)
    assert exc.exit_code == code
    assert exc.__cause__ is error
    assert list(exc.snapshot.outputs) == [SHOW_VERSION, SHOW_ISAKMP_SA]
    assert exc.snapshot.device.version == "9.12(4)"
    assert exc.command == "show crypto ipsec sa"
    assert "2 of 4" in str(exc)


def test_ctrl_c_mid_way_keeps_what_was_gathered() -> None:
    runner = ScriptedRunner({SHOW_VERSION: VERSION}, errors={SHOW_ISAKMP_SA: KeyboardInterrupt()})
    with pytest.raises(CollectionInterrupted) as info:
        collect(runner)
    assert info.value.exit_code == ExitCode.INTERRUPTED
    assert list(info.value.snapshot.outputs) == [SHOW_VERSION]


def test_outputs_are_masked_in_memory() -> None:
    runner = ScriptedRunner({"show running-config": " ikev1 pre-shared-key Sup3r"})
    snapshot = collect(runner, commands=("show running-config",))
    assert snapshot.outputs["show running-config"] == " ikev1 pre-shared-key *****"


def test_progress_callback_counts_commands() -> None:
    seen: list[str] = []
    collect(ScriptedRunner(), progress=seen.append)
    assert seen[0].startswith("[1/4] show version")
    assert len(seen) == 4


def test_device_info_without_prompt_hostname() -> None:
    info = device_info({SHOW_VERSION: VERSION})
    assert info.hostname == "fw1"
    assert device_info({}).version == ""

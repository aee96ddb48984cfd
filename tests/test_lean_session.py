"""The lean netmiko reads (collect/lean_session.py) on a scripted channel: the contract
netmiko's own ``read_until_pattern`` / ``send_command`` keep, without their sleeps."""

from __future__ import annotations

import re

import pytest
from netmiko.exceptions import ReadTimeout

from vpn_doctor.collect.lean_session import LeanAsaChannel, search_start


class ScriptedChannel(LeanAsaChannel):
    """Reads hand out the scripted chunks one per call (then nothing); writes are kept."""

    RETURN = "\n"
    RESPONSE_RETURN = "\n"

    def __init__(self, chunks: list[str], base_prompt: str = "fw1") -> None:
        self.chunks = list(chunks)
        self.written: list[str] = []
        self.base_prompt = base_prompt
        self.secret = ""
        self.read_timeout_override = None
        self._read_buffer = ""
        self.remote_conn = object()  # no fileno(): waits fall back to a short sleep

    def read_channel(self) -> str:
        data, self._read_buffer = self._read_buffer, ""
        if self.chunks:
            data += self.chunks.pop(0)
        return data

    def write_channel(self, out_data: str) -> None:
        self.written.append(out_data)

    def normalize_linefeeds(self, a_string: str) -> str:
        return a_string.replace("\r\n", "\n")

    def _sanitize_output(
        self,
        output: str,
        strip_command: bool = False,
        command_string: str | None = None,
        strip_prompt: bool = False,
    ) -> str:
        lines = output.split("\n")
        if strip_command:
            lines = lines[1:]
        if strip_prompt and lines and self.base_prompt in lines[-1]:
            lines = lines[:-1]
        return "\n".join(lines)


PROMPT = r"(?m)(^fw1(?:\([^)\r\n]*\))?[#>] ?$)"


def test_a_stale_prompt_before_the_echo_does_not_end_the_read() -> None:
    # An Enter typed earlier left a prompt in the channel; the reply follows the echo.
    channel = ScriptedChannel(["fw1# \n", "show ver", "sion\nCisco ASA 9.12\n", "fw1# "])
    out = channel.send_command("show version", expect_string=PROMPT, read_timeout=5)
    assert out == "Cisco ASA 9.12"
    assert channel.written == ["show version\n"]


def test_what_follows_the_prompt_stays_for_the_next_read() -> None:
    channel = ScriptedChannel(["show debug\ndebug crypto condition peer 1.2.3.4\nfw1# \nlate"])
    assert channel.send_command("show debug", expect_string=PROMPT, read_timeout=5) == (
        "debug crypto condition peer 1.2.3.4"
    )
    assert channel.read_channel() == "\nlate"


def test_read_until_pattern_returns_through_the_match_and_times_out() -> None:
    channel = ScriptedChannel(["Password: "])
    assert channel.read_until_pattern("(ssword)", read_timeout=5) == "Pass" + "word"
    assert channel.read_channel() == ": "
    with pytest.raises(ReadTimeout):
        channel.read_until_pattern("(never)", read_timeout=0.05)


def test_a_prompt_is_found_at_the_end_of_a_long_output() -> None:
    body = "".join(f"   #pkts encaps: {i}, #pkts decaps: {i}\n" for i in range(5000))
    chunks = ["show crypto ipsec sa\n"] + [body[i : i + 4000] for i in range(0, len(body), 4000)]
    channel = ScriptedChannel([*chunks, "fw1# "])
    out = channel.send_command("show crypto ipsec sa", expect_string=PROMPT, read_timeout=5)
    assert out == body.rstrip("\n")
    assert channel.chunks == []


def test_search_resumes_at_a_line_start_inside_the_window() -> None:
    text = "a" * 10 + "\n" + "b" * 9000 + "\nfw1# "
    start = search_start(text, 9000)
    assert start == 0 or text[start - 1] == "\n"
    assert re.compile(r"(?m)^fw1# ?$").search(text, start) is not None
    assert search_start("short", 5) == 0


def test_login_prompt_is_read_without_typing_anything() -> None:
    channel = ScriptedChannel(["Type help or '?' for a list of available commands.\n", "fw1> "])
    assert channel.read_login_prompt(5) == "fw1>"
    assert channel.written == []


def test_login_prompt_gets_one_enter_when_the_device_prints_none() -> None:
    channel = ScriptedChannel([])
    channel.chunks_after_enter = ["\nfw1# "]  # type: ignore[attr-defined]

    def write(data: str) -> None:
        channel.written.append(data)
        channel.chunks.extend(channel.chunks_after_enter)  # type: ignore[attr-defined]

    channel.write_channel = write  # type: ignore[method-assign]
    assert channel.read_login_prompt(5) == "fw1#"
    assert channel.written == ["\n"]

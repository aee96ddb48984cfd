"""Render a case's outputs the way engineers paste them, for ``accuracy.py --pasted FORM``.

Why: the accuracy harness scores the tool on outputs exactly as the mock prints them; what
reaches the tool in a ticket is a terminal capture that went through a web page, an e-mail
or a chat. Each form below is one thing that happens to such a capture (issue 12, part C);
the harness reads the rendered text with ``diagnose --from-log``'s reader and scores it.

* ``flattened``: indentation lost and runs of spaces collapsed (web pages, e-mail);
* ``cr``: CR-only line ends (old Mac editors, some terminal logs), with ASA pager remnants
  (``<--- More --->`` erased by CR and spaces);
* ``failover``: prompts of a failover pair in a context (``fw0001/ctx1/pri/act#``), commands
  abbreviated (``sh cry is sa``, ``sh cry ipse sa``) or typed in upper case;
* ``markdown``: every line indented as a code block, or given a ``- `` list marker, states
  in bold (``**READY**``), ``_`` escaped (``current\\_peer``);
* ``cut``: the capture ends part-way through one of the SA outputs (a paste limit). The
  right answer may then be out of reach: scored as honest when the tool either still names
  the expected cause or says ``unknown`` - never a confident other cause.
"""

from __future__ import annotations

import random
import re

FORMS = ("flattened", "cr", "failover", "markdown", "cut")

_ABBREVIATED = {
    "show crypto isakmp sa": "sh cry is sa",
    "show crypto ipsec sa": "sh cry ipse sa",
    "show vpn-sessiondb detail l2l": "SHOW VPN-SESSIONDB DETAIL L2L",
    "show version": "sh ver",
    "show logging": "sh logg",
}
_SA_COMMANDS = ("show crypto isakmp sa", "show crypto ipsec sa", "show vpn-sessiondb detail l2l")
_PAGER = "<--- More --->\r              \r"


def capture(host: str, outputs: dict[str, str], form: str, seed: int) -> str:
    """A terminal capture of ``outputs`` (command -> text) in pasted form ``form``."""
    if form not in FORMS:
        raise ValueError(f"unknown pasted form {form!r} (one of {', '.join(FORMS)})")
    prompt = f"{host}/ctx1/pri/act# " if form == "failover" else f"{host}# "
    parts: list[str] = [f"{prompt}terminal pager 0"]
    for command, text in outputs.items():
        typed = _ABBREVIATED.get(command, command) if form == "failover" else command
        parts.append(f"{prompt}{typed}")
        parts.extend(text.splitlines())
    parts.append(prompt.rstrip())
    lines = parts
    if form == "flattened":
        lines = [" ".join(line.split()) for line in lines]
    elif form == "markdown":
        lines = [_markdown(line, seed % 2 == 0) for line in lines]
    elif form == "cut":
        lines = _cut(lines, outputs, prompt, random.Random(seed))
    if form == "cr":
        # the pager interrupted the output every 24 lines, then erased itself
        paged = [
            (_PAGER + line) if index and index % 24 == 0 else line
            for index, line in enumerate(lines)
        ]
        return "\r".join(paged) + "\r"
    return "\n".join(lines) + "\n"


_STATE = re.compile(r"\b(READY|MM_ACTIVE|AM_ACTIVE|MM_WAIT_MSG\d|AM_WAIT_MSG\d)\b")


def _markdown(line: str, list_markers: bool) -> str:
    """A pastebin-style list item, or a code block line (indented by four spaces)."""
    line = _STATE.sub(r"**\1**", line).replace("_peer", "\\_peer")
    return f"- {line}" if list_markers else f"    {line}"


def _cut(lines: list[str], outputs: dict[str, str], prompt: str, rng: random.Random) -> list[str]:
    """Cut the capture inside one of the SA outputs that has more than two lines."""
    starts = [
        index
        for index, line in enumerate(lines)
        if line.startswith(prompt)
        and line[len(prompt) :] in _SA_COMMANDS
        and len(outputs[line[len(prompt) :]].splitlines()) > 2
    ]
    if not starts:
        return lines
    start = rng.choice(starts)
    length = len(outputs[lines[start][len(prompt) :]].splitlines())
    return lines[: start + 1 + rng.randint(1, length - 1)]

"""The ASA command line as a pure state machine: one input line in, one Reply out.

Why pure: the CLI rules (modes and prompts, enable/login dialogues, abbreviations, pipes,
the caret error) are where realism matters, and they are far easier to test without SSH.
No I/O and no asyncio here; server.py turns Replies into bytes on the channel, applies
delays and streams debug lines. Device-wide state (debug levels, logging buffer) comes in
through DeviceContext so that every session of one mock sees the same device.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar

from mock_device.audit import PASSWORD_MASK
from mock_device.debug_state import DebugCommandError, DebugState
from mock_device.outputs import PIPE_KINDS, OutputBook, apply_pipe
from mock_device.scenario import Scenario
from mock_device.vocabulary import Vocabulary, expand

BANNER = "Type help or '?' for a list of available commands.\n"
INVALID = "ERROR: % Invalid input detected at '^' marker."
INCOMPLETE = "ERROR: % Incomplete command"
MAX_ENABLE_ATTEMPTS = 3
# Verbs that change the configuration (or the saved/booted image) even outside config mode.
CONFIG_CHANGE_VERBS = frozenset({"configure", "write", "copy", "reload"})


class Mode(enum.Enum):
    USER = "user"
    PRIVILEGED = "privileged"
    CONFIG = "config"
    FTD = "ftd"  # FTD's own `>` CLI, before `system support diagnostic-cli`


FTD_ATTACH = (
    "Attaching to Diagnostic CLI ... Click 'Ctrl+a then d' to detach.\n"
    "Type help or '?' for a list of available commands.\n\n"
)


class Pending(enum.Enum):
    """What the next line answers: a command, or a Username:/Password: prompt."""

    NONE = enum.auto()
    ENABLE_PASSWORD = enum.auto()
    LOGIN_USERNAME = enum.auto()
    LOGIN_PASSWORD = enum.auto()


@dataclass
class DeviceContext:
    """Everything sessions of one device share. Mutated only on the device's event loop."""

    scenario: Scenario
    book: OutputBook
    vocabulary: Vocabulary
    debug: DebugState
    logging: list[str]
    # Multi-context: each security context's own outputs (the system context uses `book`).
    context_books: dict[str, OutputBook] = field(default_factory=dict)

    @classmethod
    def for_scenario(cls, scenario: Scenario) -> DeviceContext:
        vocabulary = Vocabulary()
        for each in (scenario, *scenario.contexts.values()):
            for command in each.commands:
                vocabulary.extend(command)
        debug = DebugState(
            dict(scenario.debug_levels_at_start), list(scenario.debug_conditions_at_start)
        )
        books = {name: OutputBook(ctx) for name, ctx in scenario.contexts.items()}
        return cls(
            scenario,
            OutputBook(scenario),
            vocabulary,
            debug,
            list(scenario.logging_buffer),
            books,
        )

    def book_for(self, context: str) -> OutputBook:
        """The outputs of ``context`` ("" or an undeclared one: the top-level outputs)."""
        return self.context_books.get(context, self.book)


@dataclass(frozen=True)
class Reply:
    """What to write after the echo of a line, and how the line goes into the audit log.

    output: text with \\n line endings (the server writes \\r\\n); prompt: written right
    after it; show: the scenario's delay_ms applies (show-type commands only, never login
    or password prompts); echo: whether the *next* line is echoed (off at Password:).
    """

    output: str = ""
    prompt: str = ""
    accepted: bool = True
    show: bool = False
    close: bool = False
    echo: bool = True
    debug_changed: bool = False
    audit_text: str = ""
    kind: str = "command"
    privileged: bool = False
    config_change: bool = False


@dataclass
class CliSession:
    """One SSH session's CLI: mode, pending dialogue, terminal settings."""

    device: DeviceContext
    mode: Mode = Mode.USER
    pending: Pending = Pending.NONE
    monitor: bool = False
    context: str = ""
    username: str = "enable_1"
    _enable_attempts: int = 0
    _login_user: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if self.device.scenario.device_type == "ftd":
            self.mode = Mode.FTD
        elif self.device.scenario.start_privileged:
            self.mode = Mode.PRIVILEGED
            self.username = "enable_15"

    # ---------------------------------------------------------------- prompts

    @property
    def privileged(self) -> bool:
        return self.mode in (Mode.PRIVILEGED, Mode.CONFIG)

    @property
    def prompt(self) -> str:
        if self.mode is Mode.FTD:
            return "> "
        # `prompt hostname context priority state`: fw/ctx1/pri/act
        name, *rest = self.device.scenario.hostname.split("/")
        host = "/".join([name, *([self.context] if self.context else []), *rest])
        suffix = {Mode.USER: ">", Mode.PRIVILEGED: "#", Mode.CONFIG: "(config)#"}[self.mode]
        return f"{host}{suffix} "

    def banner(self) -> str:
        """Written once at shell start, together with the first prompt (one write)."""
        return BANNER + self.prompt

    @property
    def echo(self) -> bool:
        return self.pending not in (Pending.ENABLE_PASSWORD, Pending.LOGIN_PASSWORD)

    # ---------------------------------------------------------------- input

    def feed_line(self, line: str) -> Reply:
        """Process one line (without its line ending) and say what to print."""
        privileged = self.privileged
        if self.pending is not Pending.NONE:
            return self._dialogue(line, privileged)
        text = line.strip()
        if not text:
            return Reply(prompt=self.prompt, privileged=privileged, audit_text="")
        in_config = self.mode is Mode.CONFIG
        reply = self._command(line, text, privileged)
        words = reply.audit_text.split()
        if in_config or (words and self._is_change_verb(words[0])):
            reply = replace(reply, config_change=True)
        return reply

    def _is_change_verb(self, word: str) -> bool:
        """``conf``, ``wr`` ...: a unique prefix of a configuration-changing verb."""
        matches = [v for v in CONFIG_CHANGE_VERBS if v.startswith(word.lower())]
        return len(matches) == 1 or word.lower() in CONFIG_CHANGE_VERBS

    def _command(self, line: str, text: str, privileged: bool) -> Reply:
        command_part, _, pipe_part = text.partition("|")
        words = command_part.split()
        if not words:
            return self._invalid(line, 0, privileged)
        expansion = expand(self.device.vocabulary.tree(self.mode.value), words)
        if expansion.error == "ambiguous":
            msg = f'ERROR: % Ambiguous command:  "{text}"'
            return self._error(msg, text, privileged)
        if expansion.error:
            return self._invalid(line, expansion.error_word, privileged)
        canonical = expansion.canonical
        reply = self._dispatch(expansion.words, canonical, text, privileged)
        if pipe_part and reply.accepted:
            pipe_words = pipe_part.split(maxsplit=1)
            kinds = [k for k in PIPE_KINDS if pipe_words and k.startswith(pipe_words[0].lower())]
            if len(kinds) != 1 or len(pipe_words) < 2:
                return self._invalid(line, len(words), privileged)
            output = apply_pipe(reply.output, kinds[0], pipe_words[1].strip())
            reply = Reply(
                output=output,
                prompt=reply.prompt,
                show=reply.show,
                audit_text=text,
                privileged=privileged,
            )
        return reply

    def _dialogue(self, line: str, privileged: bool) -> Reply:
        creds = self.device.scenario.credentials
        if self.pending is Pending.LOGIN_USERNAME:
            self._login_user = line.strip()
            self.pending = Pending.LOGIN_PASSWORD
            return Reply(
                prompt="Password: ",
                echo=False,
                kind="username",
                audit_text=self._login_user,
                privileged=privileged,
            )
        if self.pending is Pending.LOGIN_PASSWORD:
            self.pending = Pending.NONE
            ok = self._login_user == creds.username and line == creds.password
            if ok:
                self.mode = Mode.PRIVILEGED
                self.username = self._login_user
                return Reply(
                    prompt=self.prompt,
                    kind="password",
                    audit_text=PASSWORD_MASK,
                    privileged=privileged,
                )
            return Reply(
                output="Invalid password\n",
                prompt=self.prompt,
                accepted=False,
                kind="password",
                audit_text=PASSWORD_MASK,
                privileged=privileged,
            )
        # enable password
        if line == creds.enable:
            self.pending = Pending.NONE
            self.mode = Mode.PRIVILEGED
            self.username = "enable_15"
            return Reply(
                prompt=self.prompt, kind="password", audit_text=PASSWORD_MASK, privileged=privileged
            )
        self._enable_attempts += 1
        if self._enable_attempts < MAX_ENABLE_ATTEMPTS:
            return Reply(
                output="Invalid password\n",
                prompt="Password: ",
                echo=False,
                accepted=False,
                kind="password",
                audit_text=PASSWORD_MASK,
                privileged=privileged,
            )
        self.pending = Pending.NONE
        return Reply(
            output="Access denied.\n",
            prompt=self.prompt,
            accepted=False,
            kind="password",
            audit_text=PASSWORD_MASK,
            privileged=privileged,
        )

    # ---------------------------------------------------------------- errors

    def _error(self, message: str, text: str, privileged: bool) -> Reply:
        return Reply(
            output=message + "\n",
            prompt=self.prompt,
            accepted=False,
            audit_text=text,
            privileged=privileged,
        )

    def _invalid(self, line: str, word_index: int, privileged: bool) -> Reply:
        """The ASA prints a caret under the offending word (counting the prompt)."""
        starts = [m.start() for m in re.finditer(r"\S+", line)]
        column = starts[word_index] if word_index < len(starts) else len(line.rstrip())
        caret = " " * (len(self.prompt) + column) + "^"
        return self._error(f"{caret}\n{INVALID}", line.strip(), privileged)

    # ---------------------------------------------------------------- commands

    def _dispatch(self, words: Sequence[str], canonical: str, text: str, privileged: bool) -> Reply:
        def ok(output: str = "", *, show: bool = False) -> Reply:
            return Reply(
                output=output, prompt=self.prompt, show=show, audit_text=text, privileged=privileged
            )

        head = words[0]
        handler = self._HANDLERS.get(head)
        if handler is not None:
            result = handler(self, words)
            if result is None:
                return self._incomplete(text, privileged)
            if isinstance(result, Reply):
                prompt = "" if result.close else (result.prompt or self.prompt)
                return Reply(
                    output=result.output,
                    prompt=prompt,
                    accepted=result.accepted,
                    show=result.show,
                    close=result.close,
                    echo=result.echo,
                    debug_changed=result.debug_changed,
                    audit_text=text,
                    privileged=privileged,
                )
            return ok(result)
        if head in ("show", "packet-tracer", "ping", "traceroute"):
            if len(words) == 1:
                return self._incomplete(text, privileged)
            return ok(self._show(canonical), show=True)
        return self._incomplete(text, privileged)

    def _incomplete(self, text: str, privileged: bool) -> Reply:
        return self._error(INCOMPLETE, text, privileged)

    def _show(self, canonical: str) -> str:
        if canonical == "show curpriv":
            level = 1 if self.mode is Mode.USER else 15
            modes = {Mode.USER: "P_UNPR", Mode.PRIVILEGED: "P_PRIV", Mode.CONFIG: "P_CONF"}
            return (
                f"Username : {self.username}\n"
                f"Current privilege level : {level}\n"
                f"Current Mode/s : {modes[self.mode]}\n"
            )
        if canonical == "show debug":
            return self.device.debug.show_debug()
        if canonical == "show crypto condition":
            return "".join(
                f"Crypto conditional debug is turned ON\nIKE peer IP address filters:\n{p}\n"
                for p in self.device.debug.condition_peers
            )
        if canonical == "show logging":
            return logging_text([*self.device.logging, *self.device.book.log_lines()], self.monitor)
        if self.mode is Mode.FTD and canonical == "show version":
            return ftd_version(self.device.scenario)
        found = self.device.book_for(self.context).lookup(canonical)
        return found if found is not None else ""

    # Each handler returns output text, a Reply (mode changes, prompts, close), or None
    # for "incomplete command".

    def _enable(self, words: Sequence[str]) -> Reply | str:
        if self.mode is not Mode.USER:
            return ""
        self.pending = Pending.ENABLE_PASSWORD
        self._enable_attempts = 0
        return Reply(prompt="Password: ", echo=False)

    def _login(self, words: Sequence[str]) -> Reply:
        self.pending = Pending.LOGIN_USERNAME
        return Reply(prompt="Username: ")

    def _disable(self, words: Sequence[str]) -> str:
        self.mode = Mode.USER
        self.username = "enable_1"
        return ""

    def _exit(self, words: Sequence[str]) -> Reply | str:
        if self.mode is Mode.CONFIG and words[0] != "logout":
            self.mode = Mode.PRIVILEGED
            return ""
        if self.device.scenario.device_type == "ftd" and self.mode is not Mode.FTD:
            self.mode = Mode.FTD  # leaving the diagnostic CLI: back at FTD's `>`
            return ""
        return Reply(output="\nLogoff\n\n", close=True)

    def _end(self, words: Sequence[str]) -> str:
        self.mode = Mode.PRIVILEGED
        return ""

    def _configure(self, words: Sequence[str]) -> str | None:
        if len(words) < 2:
            return None
        self.mode = Mode.CONFIG
        return ""

    def _terminal(self, words: Sequence[str]) -> Reply | str | None:
        rest = list(words[1:])
        if rest == ["monitor"]:
            self.monitor = True
            return ""
        if rest == ["no", "monitor"]:
            self.monitor = False
            return ""
        if len(rest) >= 2 and rest[0] in ("pager", "width"):
            value = rest[-1]
            if not value.isdigit():
                return Reply(output=f"{INVALID}\n", accepted=False)
            return ""
        return None

    def _no(self, words: Sequence[str]) -> Reply | str | None:
        if list(words[1:]) == ["terminal", "monitor"]:
            self.monitor = False
            return ""
        if len(words) > 1 and words[1] == "debug":
            return self._undebug(words[1:])
        return None

    def _undebug(self, words: Sequence[str]) -> Reply | None:
        """`undebug X` and `no debug X` (words start at the debug/undebug keyword)."""
        rest = list(words[1:])
        state = self.device.debug
        if rest == ["all"]:
            state.undebug_all()
        elif rest[:2] == ["crypto", "condition"]:
            state.clear_condition(rest[3] if len(rest) >= 4 else None)
        elif len(rest) >= 2 and rest[0] == "crypto":
            state.disable(" ".join(rest[1:]))
        else:
            return None
        return Reply(debug_changed=True)

    def _debug(self, words: Sequence[str]) -> Reply | None:
        rest = list(words[1:])
        state = self.device.debug
        if len(rest) < 2 or rest[0] != "crypto":
            return None
        if rest[1] == "condition":
            if len(rest) < 4:
                return None
            state.add_condition(rest[3])
            return Reply(debug_changed=True)
        facility = rest[1]
        args = rest[2:]
        if facility == "ikev2":
            if not args:
                return None
            facility, args = f"ikev2 {args[0]}", args[1:]
        try:
            state.enable(facility, args[0] if args else None)
        except DebugCommandError:
            return Reply(output=f"{INVALID}\n", accepted=False)
        return Reply(debug_changed=True)

    def _write(self, words: Sequence[str]) -> str:
        return (
            "Building configuration...\nCryptochecksum: 5f1b2c3d 9e8f7a6b 1c2d3e4f 5a6b7c8d \n\n"
            "12345 bytes copied in 0.120 secs\n[OK]\n"
        )

    def _changeto(self, words: Sequence[str]) -> Reply | str | None:
        known = self.device.scenario.contexts
        if len(words) >= 3 and words[1] == "context":
            if known and words[2] not in known:
                return Reply(
                    output=f"ERROR: Context {words[2]} hasn't been created\n", accepted=False
                )
            self.context = words[2]
            return ""
        if len(words) >= 2 and words[1] == "system":
            self.context = ""
            return ""
        return None

    def _system(self, words: Sequence[str]) -> Reply | str | None:
        """FTD: ``system support diagnostic-cli`` attaches to the ASA engine's CLI (``fw>``)."""
        if self.mode is not Mode.FTD or list(words[1:]) != ["support", "diagnostic-cli"]:
            return None
        self.mode = Mode.USER
        return Reply(output=FTD_ATTACH, prompt=self.prompt)

    def _help(self, words: Sequence[str]) -> str:
        return "Help may be requested at any point in a command by entering a question mark '?'.\n"

    def _copy(self, words: Sequence[str]) -> Reply:
        return Reply(output="%Error: copy is not supported by the mock device\n", accepted=False)

    _HANDLERS: ClassVar[dict[str, Callable[[CliSession, Sequence[str]], Reply | str | None]]] = {
        "enable": _enable,
        "login": _login,
        "disable": _disable,
        "exit": _exit,
        "quit": _exit,
        "logout": _exit,
        "end": _end,
        "configure": _configure,
        "terminal": _terminal,
        "no": _no,
        "undebug": _undebug,
        "debug": _debug,
        "write": _write,
        "changeto": _changeto,
        "system": _system,
        "help": _help,
        "copy": _copy,
    }


def ftd_version(scenario: Scenario) -> str:
    """``show version`` at FTD's ``>`` CLI (not the ASA engine's)."""
    return (
        f"-------------------[ {scenario.hostname} ]--------------------\n"
        "Model                     : Cisco Firepower Threat Defense for VMware (75) "
        "Version 7.2.5 (Build 208)\n"
        "UUID                      : 2a4b7c3e-0c1d-11ee-9a3b-000c29f1d2e4\n"
        "VDB version               : 363\n"
        "----------------------------------------------------\n"
    )


def logging_text(lines: Sequence[str], monitor: bool) -> str:
    """`show logging`: the 9.x header, then the buffered messages."""
    header = f"""Syslog logging: enabled
    Facility: 20
    Timestamp logging: enabled
    Timezone: disabled
    Hide Username logging: enabled
    Standby logging: disabled
    Debug-trace logging: enabled
    Console logging: disabled
    Monitor logging: level debugging, {len(lines) if monitor else 0} messages logged
    Buffer logging: level debugging, {len(lines)} messages logged
    Trap logging: disabled
    Permit-hostdown logging: disabled
    History logging: disabled
    Device ID: disabled
    Mail logging: disabled
    ASDM logging: disabled
"""
    return header + "".join(line + "\n" for line in lines)

"""ASA keyword vocabulary and abbreviation expansion (`sh cry isa sa` -> canonical).

Why: engineers (and some of our own code paths) type abbreviated commands, and the ASA
accepts any unambiguous prefix of each keyword given the words before it. Expanding against
a keyword tree, not a flat list, is what makes `sh run cry map` work while `sh cr i sa`
stays ambiguous, exactly like the device. Arguments (addresses, numbers, names) are taken
literally where the tree has an argument slot.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ARG = "<arg>"  # one literal word (address, number, name)
REST = "<rest>"  # the rest of the line, literally (packet-tracer, access-list names...)


@dataclass
class Node:
    """One keyword position; children by keyword, plus optional argument slots."""

    children: dict[str, Node] = field(default_factory=dict)
    arg: Node | None = None
    rest: bool = False

    def add(self, words: list[str]) -> None:
        node = self
        for word in words:
            if word == REST:
                node.rest = True
                return
            if word == ARG:
                node.arg = node.arg or Node()
                node = node.arg
            else:
                node = node.children.setdefault(word.lower(), Node())


# Privileged (and config) mode commands; the ASA lets exec commands run in config mode too.
_SHOW = [
    "show version", "show curpriv", "show clock", "show debug", "show logging",
    "show crypto isakmp sa detail", "show crypto ikev1 sa detail", "show crypto ikev2 sa detail",
    "show crypto ipsec sa peer <arg> detail", "show crypto ipsec sa detail",
    "show crypto ca certificates", "show crypto ca trustpoints", "show crypto condition",
    "show vpn-sessiondb summary", "show vpn-sessiondb l2l",
    "show vpn-sessiondb detail l2l filter ipaddress <arg>",
    "show vpn-sessiondb detail l2l filter name <arg>",
    "show running-config crypto map", "show running-config crypto ikev1",
    "show running-config crypto ikev2", "show running-config crypto ipsec",
    "show running-config crypto isakmp", "show running-config crypto dynamic-map",
    "show running-config tunnel-group <rest>", "show running-config group-policy <rest>",
    "show running-config access-list <rest>", "show running-config nat",
    "show running-config object-group <rest>", "show running-config object <rest>",
    "show running-config sla monitor", "show running-config sysopt",
    "show running-config route", "show running-config interface <rest>",
    "show running-config all crypto map", "show running-config names",
    "show access-list <rest>", "show nat detail", "show xlate", "show route <rest>",
    "show asp drop", "show asp table vpn-context detail", "show interface ip brief",
    "show interface <rest>", "show failover", "show capture <rest>",
    "show sla monitor operational-state", "show conn <rest>", "show history",
    "packet-tracer input <rest>", "ping <rest>", "traceroute <rest>",
]  # fmt: skip
_TERMINAL = ["terminal pager <arg>", "terminal pager lines <arg>", "terminal width <arg>"]
_USER = [
    "show version", "show curpriv", "show clock", "show history", *_TERMINAL, "exit", "quit",
    "logout", "help", "enable <arg>", "login", "ping <rest>", "traceroute <rest>",
]  # fmt: skip
_PRIV_ONLY = [
    *_SHOW, "enable <arg>", "login", "disable", "configure terminal", "write memory",
    "copy <rest>", "changeto context <arg>",
    "changeto system", "terminal monitor", "terminal no monitor", "no terminal monitor",
    "debug crypto condition peer <arg>", "debug crypto isakmp <arg>", "debug crypto ikev1 <arg>",
    "debug crypto ikev2 protocol <arg>", "debug crypto ikev2 platform <arg>",
    "debug crypto ipsec <arg>", "debug crypto ca <arg>",
    "undebug all", "undebug crypto condition peer <arg>", "undebug crypto isakmp",
    "undebug crypto ikev1", "undebug crypto ikev2 protocol", "undebug crypto ikev2 platform",
    "undebug crypto ipsec", "no debug all", "no debug crypto condition peer <arg>",
    "no debug crypto isakmp", "no debug crypto ikev1", "no debug crypto ikev2 protocol",
    "no debug crypto ikev2 platform", "no debug crypto ipsec", "no debug crypto ca",
]  # fmt: skip
_CONFIG_ONLY = ["end"]
# FTD's own `>` CLI (scenario `device_type: ftd`): the way into the ASA engine, and out.
_FTD = [
    "system support diagnostic-cli", "show version", "show network", "exit", "logout", "help",
]  # fmt: skip

# Keywords whose prefixes would otherwise be ambiguous but the ASA resolves (its CLI gives
# some keywords priority: `sh` is show, never shun; `en` is enable, `conf t` configure).
PRIORITY = {"sh": "show", "en": "enable", "conf": "configure", "deb": "debug", "wr": "write"}


def build_tree(commands: list[str]) -> Node:
    root = Node()
    for command in commands:
        words = command.split()
        # every prefix of a listed command is itself a complete command where it makes sense
        # (`show crypto ipsec sa` is a prefix of `show crypto ipsec sa peer <arg> detail`)
        root.add(words)
    return root


@dataclass
class Vocabulary:
    """Per-mode keyword trees; `extend` adds a scenario's own canonical commands."""

    user: Node = field(default_factory=lambda: build_tree(_USER))
    privileged: Node = field(default_factory=lambda: build_tree(_USER + _PRIV_ONLY))
    config: Node = field(default_factory=lambda: build_tree(_USER + _PRIV_ONLY + _CONFIG_ONLY))
    ftd: Node = field(default_factory=lambda: build_tree(_FTD))

    def extend(self, command: str, *, privileged_only: bool = True) -> None:
        """Add a scenario command; words after the first non-keyword become an argument."""
        words: list[str] = []
        for word in command.split():
            if not is_keyword(word):
                words.append(ARG)
                break
            words.append(word)
        trees = (
            [self.privileged, self.config]
            if privileged_only
            else [self.user, self.privileged, self.config]
        )
        for tree in trees:
            tree.add(words)

    def tree(self, mode: str) -> Node:
        trees = {"user": self.user, "privileged": self.privileged, "ftd": self.ftd}
        return trees.get(mode, self.config)


def is_keyword(word: str) -> bool:
    """Keywords are letters with dashes/underscores (`vpn-sessiondb`, `ikev1`, `l2l`)."""
    return word[:1].isalpha() and all(c.isalnum() or c in "-_" for c in word)


@dataclass(frozen=True)
class Expansion:
    """Result of expanding one typed command (without its pipe part)."""

    words: tuple[str, ...] = ()
    error: str | None = None  # "invalid" | "ambiguous" | "incomplete"
    error_word: int = 0  # index of the offending typed word (for the caret)

    @property
    def canonical(self) -> str:
        return " ".join(self.words)


def expand(tree: Node, typed: list[str]) -> Expansion:
    """Expand each typed word against the tree. Unknown words give `invalid` at that word."""
    node: Node | None = tree
    out: list[str] = []
    for i, word in enumerate(typed):
        if node is None:
            return Expansion(tuple(out), "invalid", i)
        if node.rest:
            return Expansion((*out, *typed[i:]))
        lower = word.lower()
        if lower in node.children:
            out.append(lower)
            node = node.children[lower]
            continue
        matches = [k for k in node.children if k.startswith(lower)]
        if len(matches) > 1 and PRIORITY.get(lower) in matches:
            matches = [PRIORITY[lower]]
        if len(matches) == 1:
            out.append(matches[0])
            node = node.children[matches[0]]
            continue
        if node.arg is not None:
            out.append(word)
            node = node.arg
            continue
        return Expansion(tuple(out), "ambiguous" if matches else "invalid", i)
    return Expansion(tuple(out))

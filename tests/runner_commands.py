"""How the GitHub Actions runner reads a step's output, for tests: which lines it acts on
as workflow commands and with what values.

Mirrors the runner's ActionCommandManager: each line is tried as a ``::name k=v,…::data``
command (after leading whitespace), then as a legacy ``##[name k=v;…]data`` command found
anywhere in the line; ``::stop-commands::TOKEN`` ignores every command until ``::TOKEN::``.
Lines end at CR, LF or CRLF, as .NET's ReadLine splits them; names compare ignoring case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

REGISTERED = frozenset(
    {
        "error", "warning", "notice", "debug", "group", "endgroup", "add-mask", "echo",
        "set-output", "set-env", "add-path", "save-state", "add-matcher", "remove-matcher",
        "stop-commands",
    }
)  # fmt: skip


@dataclass
class Command:
    name: str
    properties: dict[str, str] = field(default_factory=dict)
    data: str = ""


def _unescape(value: str, pairs: tuple[tuple[str, str], ...]) -> str:
    for escaped, char in pairs:
        value = value.replace(escaped, char)
    return value


_DATA = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))
_PROPERTY = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))
_LEGACY = (("%3B", ";"), ("%0D", "\r"), ("%0A", "\n"), ("%5D", "]"), ("%25", "%"))


def _parse_v2(line: str, registered: set[str]) -> Command | None:
    line = line.lstrip()
    if not line.startswith("::"):
        return None
    end = line.find("::", 2)
    if end < 0:
        return None
    info = line[2:end]
    name, _, props = info.partition(" ")
    if name.lower() not in registered:
        return None
    command = Command(name.lower(), data=_unescape(line[end + 2 :], _DATA))
    for pair in filter(None, props.strip().split(",")):
        key, sep, value = pair.partition("=")
        if sep and key and value:
            command.properties[key] = _unescape(value, _PROPERTY)
    return command


def _parse_legacy(line: str, registered: set[str]) -> Command | None:
    start = line.find("##[")
    if start < 0:
        return None
    end = line.find("]", start)
    if end < 0:
        return None
    name, _, props = line[start + 3 : end].partition(" ")
    if name.lower() not in registered:
        return None
    command = Command(name.lower(), data=_unescape(line[end + 1 :], _LEGACY))
    for pair in filter(None, props.split(";")):
        key, sep, value = pair.partition("=")
        if sep and key and value:
            command.properties[key] = _unescape(value, _LEGACY)
    return command


def commands(output: str) -> list[Command]:
    """The commands the runner would carry out, in order (stop/resume included)."""
    registered = set(REGISTERED)
    stop_token: str | None = None
    done: list[Command] = []
    for line in re.split(r"\r\n|\r|\n", output):
        command = _parse_v2(line, registered) or _parse_legacy(line, registered)
        if command is None:
            continue
        if stop_token is not None:
            if command.name == stop_token:
                registered.discard(stop_token)
                stop_token = None
                done.append(command)
            continue
        if command.name == "stop-commands":
            stop_token = command.data.lower()
            registered.add(stop_token)
        done.append(command)
    return done

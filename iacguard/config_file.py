"""Finding and reading a config file: where it is, and its text as a mapping of keys to
values, read within the limits templates have (size, nesting, YAML alias expansion),
because a config usually comes with the pull request it checks. Validating the keys is
``iacguard.config``'s; this also says where a key is written, for its messages.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

from iacguard.limits import (
    DEFAULT_MAX_FILE_BYTES,
    MAX_NESTING,
    brackets_too_deep,
    nested_too_deeply,
)

# Values a YAML config may hold once its aliases (and merge keys) are expanded, as for
# templates: a few kilobytes of chained merge keys otherwise take minutes and gigabytes.
MAX_EXPANDED_VALUES = 250_000
CONFIG_NAMES = (".iacguard.yaml", "pyproject.toml")


class ConfigError(Exception):
    """A config that cannot be used; the message names the file and the key."""


def find_config_file(explicit: str | None) -> Path | None:
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{explicit}: config file not found")
        return path
    for directory in dict.fromkeys((Path.cwd(), _git_root())):
        if directory is None:
            continue
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_tool_table(candidate)):
                return candidate
    return None


def _git_root() -> Path | None:
    here = Path.cwd().resolve()
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return directory
    return None


def _has_tool_table(pyproject: Path) -> bool:
    return "[tool.iacguard" in pyproject.read_text(encoding="utf-8", errors="replace")


def read_config_file(path: Path) -> tuple[str, dict[str, Any], str]:
    """The config's name as messages show it, its keys and values, and its text."""
    name = os.path.relpath(path).replace(os.sep, "/")
    text = _read_text(path, name)
    data = _read_toml(text, name) if path.name.endswith(".toml") else _read_yaml(text, name)
    return name, data, text


def _read_text(path: Path, name: str) -> str:
    """The config's text: a regular file (a named pipe would block) of at most the
    default file size limit, in UTF-8."""
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as stream:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise ConfigError(f"{name}: not a regular file; not read")
            data = stream.read(DEFAULT_MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read the config: {exc.strerror or exc}") from None
    if len(data) > DEFAULT_MAX_FILE_BYTES:
        raise ConfigError(f"{name}: the config is over the {DEFAULT_MAX_FILE_BYTES:,}-byte limit")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{name}:{line}: not valid UTF-8 text") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_yaml(text: str, name: str) -> dict[str, Any]:
    import yaml

    try:
        _check_yaml_bounds(text, name)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{name}{where}: not valid YAML: {problem}") from None
    except RecursionError:
        raise ConfigError(f"{name}: {nested_too_deeply()}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{name}: the config must be a mapping of keys to values")
    return data


def _check_yaml_bounds(text: str, name: str) -> None:
    """Fail when collections nest deeper than ``MAX_NESTING`` or the document would hold
    more than ``MAX_EXPANDED_VALUES`` values with every alias expanded: counted on
    the event stream, in one pass, before anything is built."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    sizes: dict[str, int] = {}  # anchor -> values it stands for, expanded
    starts: list[tuple[str | None, int]] = []  # open collections: anchor, count at start
    total = 0
    events = yaml.parse(text, Loader=loader)
    while True:
        try:
            event = next(events)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark
            if "maximum nesting depth" in str(error.problem or "") and mark is not None:
                # libyaml 0.2.6 (PyYAML 6.0.4) stops at a depth of its own, looking ahead
                raise ConfigError(f"{name}:{mark.line + 1}: {nested_too_deeply()}") from None
            return  # safe_load reports the error, in its words
        except (StopIteration, yaml.YAMLError):  # likewise
            return
        line = event.start_mark.line + 1 if event.start_mark else 1
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(starts) >= MAX_NESTING:
                raise ConfigError(f"{name}:{line}: {nested_too_deeply()}")
            starts.append((event.anchor, total))
            continue
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, start = starts.pop()
            total += 1
            if anchor is not None:
                sizes[anchor] = total - start
        elif isinstance(event, yaml.ScalarEvent):
            total += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            total += sizes.get(event.anchor or "", 1)
        if total > MAX_EXPANDED_VALUES:
            raise ConfigError(
                f"{name}:{line}: YAML aliases expand to more than {MAX_EXPANDED_VALUES:,} "
                "values; the config is not read"
            )


def _read_toml(text: str, name: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    if brackets_too_deep(text):  # tomllib recurses per level
        raise ConfigError(f"{name}: {nested_too_deeply()}")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{name}: {nested_too_deeply()}") from None
    tool = data.get("tool", {}).get("iacguard", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{name}: [tool.iacguard] must be a table")
    return tool


def key_line(text: str, key: str, *, toml: bool) -> int | None:
    """The line of ``key`` itself (``rules.IG009``, ``exclude[1]``, ``ignore[0].path``),
    else of the nearest part of it that can be found."""
    parts: list[str | int] = [
        int(p[1:-1]) if p.startswith("[") else p for p in re.findall(r"\[\d+\]|[^.\[\]]+", key)
    ]
    if not toml:
        line = _yaml_line(text, parts)
        if line is not None:
            return line
    # TOML keeps no positions: the last named part written after the first one
    names = [p for p in parts if isinstance(p, str)]
    first = line_of(text, names[0]) if names else None
    if first is None or len(names) == 1:
        return first
    offset = len("".join(text.splitlines(keepends=True)[: first - 1]))
    later = line_of(text[offset:], names[-1])
    return first + later - 1 if later is not None else first


def _yaml_line(text: str, parts: list[str | int]) -> int | None:
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = None
    for part in parts:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            pair = next((kv for kv in node.value if kv[0].value == part), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def line_of(text: str, key: str, occurrence: int = 0) -> int | None:
    """The line where ``key`` is written (YAML ``key:``, TOML ``key =`` or a
    ``[tool.iacguard.key]`` table), for messages."""
    name = re.escape(key)
    pattern = re.compile(
        rf"^[ \t]*(?:(?:-[ \t]*)?{name}[ \t]*[:=]|\[\[?tool\.iacguard\.{name}\]\]?)",
        re.MULTILINE,
    )
    matches = list(pattern.finditer(text))
    if len(matches) <= occurrence:
        return None
    return text.count("\n", 0, matches[occurrence].start()) + 1

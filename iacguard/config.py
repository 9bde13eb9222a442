"""Settings every face shares, and reading them from a config file.

A config is ``--config FILE``, else the first of ``.iacguard.yaml`` and ``pyproject.toml``
(``[tool.iacguard]``) found in the current directory, then in the git root. Paths in it
(``exclude``, ``ignore[].path``, ``var_files``) are relative to the file's directory.
Unknown keys and wrong types are errors that name the key.

A config usually comes with the pull request it checks, so it is input like any other:
it is read within the limits templates have (size, nesting, YAML alias expansion), the
files it names must lie inside its own repository, and it may lower ``max_file_bytes``
but not raise it (that is for the command line).
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iacguard.checks.options import OptionError, Settings
from iacguard.findings import Severity
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
# the keys of every scan; each check's options (``OPTIONS`` of the registry) come after
KEYS = (
    "fail_on",
    "exclude",
    "rules",
    "ignore",
    "var_files",
    "max_file_bytes",
)


class ConfigError(Exception):
    """A config that cannot be used; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class IgnoreEntry:
    """A config suppression: a rule, optionally narrowed to a path glob and a resource."""

    rule: str
    reason: str | None = None
    path: str | None = None
    resource: str | None = None
    line: int | None = None


@dataclass(slots=True)
class Config:
    fail_on: Severity = Severity.LOW
    options: dict[str, Any] = field(default_factory=dict)  # check options given, by name
    exclude: tuple[str, ...] = ()
    disabled: frozenset[str] = frozenset()
    ignore: tuple[IgnoreEntry, ...] = ()
    var_files: tuple[str, ...] = ()
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    root: Path = field(default_factory=Path)
    source: str | None = None

    def relative(self, file: str) -> str:
        """``file`` (as findings show it) relative to the config's directory, for globs."""
        relative = os.path.relpath(Path(file).absolute(), self.root.absolute())
        return relative.replace(os.sep, "/")

    def excluded(self, file: str) -> bool:
        return any(glob_matches(pattern, self.relative(file)) for pattern in self.exclude)

    def settings(self) -> Settings:
        """What the checks read: the options given, else their defaults."""
        return Settings(self.options)


def glob_matches(pattern: str, path: str) -> bool:
    """A path glob: ``*`` within a folder, ``**`` across folders; a pattern matches a
    file or any folder above it (``legacy`` and ``legacy/**`` both exclude a folder)."""
    regex = _glob_regex(pattern.strip("/"))
    parts = path.split("/")
    return any(regex.fullmatch("/".join(parts[:n])) for n in range(1, len(parts) + 1))


def _glob_regex(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


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


def _var_files(paths: list[str], root: Path, fail: Any) -> tuple[str, ...]:
    repository = _repository(root)
    for index, path in enumerate(paths):
        if not _inside(root / path, repository):
            raise fail(
                f"var_files[{index}]",
                f"{path!r} is outside the config's repository; a config names only files inside it",
            )
    return tuple(str(root / path) for path in paths)


def _repository(directory: Path) -> Path:
    """The git working tree that holds ``directory`` (resolved), else the directory."""
    here = directory.resolve()
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return candidate
    return here


def _inside(path: Path, directory: Path) -> bool:
    """Whether ``path``, links followed, lies inside ``directory`` (resolved): the same
    answer whether or not the file exists, so an error tells nothing about the disk."""
    try:
        path.resolve().relative_to(directory)
    except ValueError:
        return False
    return True


def _has_tool_table(pyproject: Path) -> bool:
    return "[tool.iacguard" in pyproject.read_text(encoding="utf-8", errors="replace")


def load_config(explicit: str | None = None) -> Config:
    """The config from ``explicit`` or the first one found; defaults when there is none."""
    path = find_config_file(explicit)
    if path is None:
        return Config()
    name = os.path.relpath(path).replace(os.sep, "/")
    text = _read_text(path, name)
    data = _read_toml(text, name) if path.name.endswith(".toml") else _read_yaml(text, name)
    return parse_config(data, name, path.parent, text)


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
        except (StopIteration, yaml.YAMLError):  # safe_load reports the error, in its words
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


def parse_config(data: dict[str, Any], name: str, root: Path, text: str = "") -> Config:
    """Validate a config mapping into a ``Config``; every error names the key."""
    from iacguard.checks import OPTIONS, find_check

    options = {option.name: option for option in OPTIONS}

    def fail(key: str, problem: str) -> ConfigError:
        line = _line_of(text, re.split(r"[.\[]", key, maxsplit=1)[0])
        return ConfigError(f"{name}{f':{line}' if line else ''}: {key}: {problem}")

    def rule_id(key: str, value: object) -> str:
        check = find_check(value) if isinstance(value, str) else None
        if check is None:
            raise fail(key, f"unknown rule {value!r} (see `iacguard rules`)")
        return check.id

    config = Config(root=root, source=name)
    for key, value in data.items():
        if key == "fail_on":
            try:
                config.fail_on = (
                    Severity.parse(value) if isinstance(value, str) else Severity.parse(repr(value))
                )
            except ValueError as exc:
                raise fail(key, str(exc)) from None
        elif key in options:
            try:
                config.options[key] = options[key].value(value)
            except OptionError as exc:
                raise fail(key, str(exc)) from None
        elif key == "max_file_bytes":
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise fail(key, f"must be a whole number of bytes above 0, not {value!r}")
            if value > DEFAULT_MAX_FILE_BYTES:
                raise fail(
                    key,
                    f"a config may lower the limit, not raise it above {DEFAULT_MAX_FILE_BYTES:,} "
                    "(raising it is for the command line: --max-file-bytes)",
                )
            config.max_file_bytes = value
        elif key in ("exclude", "var_files"):
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise fail(key, "must be a list of paths")
            if key == "exclude":
                config.exclude = tuple(value)
            else:
                config.var_files = _var_files(value, root, fail)
        elif key == "rules":
            if not isinstance(value, dict):
                raise fail(key, "must map rule ids or slugs to true (enabled) or false (disabled)")
            disabled = set()
            for rule, enabled in value.items():
                if not isinstance(enabled, bool):
                    raise fail(f"rules.{rule}", f"must be true or false, not {enabled!r}")
                if not enabled:
                    disabled.add(rule_id(f"rules.{rule}", rule))
            config.disabled = frozenset(disabled)
        elif key == "ignore":
            if not isinstance(value, list):
                raise fail(key, "must be a list of {rule, reason, path, resource}")
            config.ignore = tuple(
                _ignore_entry(f"ignore[{i}]", e, fail, rule_id, text) for i, e in enumerate(value)
            )
        else:
            raise fail(key, f"unknown key (the keys are {', '.join((*KEYS, *options))})")
    return config


def _ignore_entry(key: str, entry: object, fail: Any, rule_id: Any, text: str) -> IgnoreEntry:
    if not isinstance(entry, dict):
        raise fail(key, "must be a mapping with rule and reason")
    unknown = set(entry) - {"rule", "reason", "path", "resource"}
    if unknown:
        raise fail(
            f"{key}.{sorted(unknown)[0]}", "unknown key (the keys are rule, reason, path, resource)"
        )
    if "rule" not in entry:
        raise fail(key, "needs a rule")
    for optional in ("reason", "path", "resource"):
        if optional in entry and not isinstance(entry[optional], str):
            raise fail(f"{key}.{optional}", f"must be a string, not {entry[optional]!r}")
    return IgnoreEntry(
        rule=rule_id(f"{key}.rule", entry["rule"]),
        reason=entry.get("reason"),
        path=entry.get("path"),
        resource=entry.get("resource"),
        line=_line_of(text, "rule", occurrence=int(key[7:-1])),
    )


def _line_of(text: str, key: str, occurrence: int = 0) -> int | None:
    """The line where ``key`` is written (YAML ``key:``, TOML ``key =``), for messages."""
    pattern = re.compile(rf"^[ \t]*(?:-[ \t]*)?{re.escape(key)}[ \t]*[:=]", re.MULTILINE)
    matches = list(pattern.finditer(text))
    if len(matches) <= occurrence:
        return None
    return text.count("\n", 0, matches[occurrence].start()) + 1

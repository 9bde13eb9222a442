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
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iacguard.checks.options import OptionError, Settings
from iacguard.findings import Severity
from iacguard.limits import (
    DEFAULT_MAX_FILE_BYTES,
    MAX_NESTING,
    brackets_too_deep,
    nested_too_deeply,
)

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

# Values a YAML config may hold once its aliases (and merge keys) are expanded, as for
# templates: a few kilobytes of chained merge keys otherwise take minutes and gigabytes.
MAX_EXPANDED_VALUES = 250_000
CONFIG_NAMES = (".iacguard.yaml", "pyproject.toml")
# the keys of every scan; each check's options (``OPTIONS`` of the registry) come after
KEYS = (
    "fail_on",
    "exclude",
    "rules",
    "select",
    "ignore",
    "var_files",
    "max_file_bytes",
    "gitignore",
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
    fail_on: Severity | None = Severity.LOW  # None: findings never fail the run
    select: tuple[str, ...] = ()  # rule selectors (id, slug, id prefix); empty: every rule
    deselect: tuple[str, ...] = ()  # rule selectors that do not run (ignore: [IG003])
    options: dict[str, Any] = field(default_factory=dict)  # check options given, by name
    exclude: tuple[str, ...] = ()
    disabled: frozenset[str] = frozenset()
    ignore: tuple[IgnoreEntry, ...] = ()
    var_files: tuple[str, ...] = ()
    # CloudFormation parameter values from --parameters, over the templates' defaults.
    parameters: tuple[tuple[str, str], ...] = ()
    parameter_files: tuple[str, ...] = ()  # the files they were read from, for PR mode
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    gitignore: bool = True  # discovery leaves out what .gitignore files ignore
    root: Path = field(default_factory=Path)
    source: str | None = None

    def relative(self, file: str) -> str:
        """``file`` (as findings show it) relative to the config's directory, for globs."""
        relative = os.path.relpath(Path(file).absolute(), self.root.absolute())
        return relative.replace(os.sep, "/")

    def excluded(self, file: str) -> bool:
        """``exclude`` has gitignore semantics, relative to the config's directory."""
        return bool(self.exclude) and _exclude_spec(self.exclude).match_file(self.relative(file))

    def runs(self, rule_id: str) -> bool:
        """Whether a rule runs: not turned off in ``rules``, selected, not deselected."""
        return rule_id not in self.disabled and rule_id not in deselected(
            self.select, self.deselect
        )

    def settings(self) -> Settings:
        """What the checks read: the options given, else their defaults."""
        return Settings(self.options)


@lru_cache(maxsize=8)
def _exclude_spec(patterns: tuple[str, ...]) -> GitIgnoreSpec:
    from iacguard.pathmatch import spec

    return spec(patterns)


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


def parse_config(data: dict[str, Any], name: str, root: Path, text: str = "") -> Config:
    """Validate a config mapping into a ``Config``; every error names the key."""
    from iacguard.checks import OPTIONS, find_check

    options = {option.name: option for option in OPTIONS}

    def fail(key: str, problem: str) -> ConfigError:
        line = _key_line(text, key, toml=name.endswith(".toml"))
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
                config.fail_on = parse_fail_on(value if isinstance(value, str) else repr(value))
            except ValueError as exc:
                raise fail(key, str(exc)) from None
        elif key == "select":
            config.select = _selectors(key, value, fail)
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
        elif key == "gitignore":
            config.gitignore = _boolean(key, value, fail)
        elif key in ("exclude", "var_files"):
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise fail(key, "must be a list of paths")
            if key == "exclude":
                config.exclude = tuple(
                    _check_pattern(f"{key}[{i}]", v, fail) for i, v in enumerate(value)
                )
            else:
                config.var_files = _var_files(value, root, fail)
        elif key == "rules":
            if not isinstance(value, dict):
                raise fail(key, "must map rule ids or slugs to true (enabled) or false (disabled)")
            config.disabled = _disabled(value, fail, rule_id)
        elif key == "ignore":
            if not isinstance(value, list):
                raise fail(key, "must be a list of rules, or of {rule, reason, path, resource}")
            # a rule (id, slug or prefix) does not run; a mapping accepts findings on record
            rules = [(i, e) for i, e in enumerate(value) if isinstance(e, str)]
            config.deselect = tuple(_selector(f"{key}[{i}]", e, fail) for i, e in rules)
            config.ignore = tuple(
                _ignore_entry(f"ignore[{i}]", e, fail, rule_id, text)
                for i, e in enumerate(value)
                if not isinstance(e, str)
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
    if "path" in entry:
        _check_pattern(f"{key}.path", entry["path"], fail)
    return IgnoreEntry(
        rule=rule_id(f"{key}.rule", entry["rule"]),
        reason=entry.get("reason"),
        path=entry.get("path"),
        resource=entry.get("resource"),
        line=_line_of(text, "rule", occurrence=int(key[7:-1])),
    )


def parse_fail_on(text: str) -> Severity | None:
    """A severity in any case (``HIGH`` as text output prints it), or ``none``."""
    if text.strip().lower() == "none":
        return None
    try:
        return Severity.parse(text.strip())
    except ValueError as exc:
        raise ValueError(f"{exc} or none") from None


def deselected(select: Iterable[str], deselect: Iterable[str]) -> frozenset[str]:
    """The ids of the rules that do not run: not matched by ``select`` (when it has any
    selector), or matched by ``deselect``."""
    from iacguard.checks import CHECKS

    select, deselect = tuple(select), tuple(deselect)
    return frozenset(
        c.id
        for c in CHECKS
        if (select and not any(selects(s, c.id, c.slug) for s in select))
        or any(selects(s, c.id, c.slug) for s in deselect)
    )


def selects(selector: str, rule_id: str, slug: str) -> bool:
    """``IG002``, ``wildcard-action`` or a prefix of ids (``IG00``, ``IG``), any case."""
    wanted = selector.strip().lower()
    return wanted == slug or rule_id.lower().startswith(wanted) if wanted else False


def check_selector(selector: str) -> str | None:
    """Why ``selector`` names no rule, or None."""
    from iacguard.checks import CHECKS

    if any(selects(selector, c.id, c.slug) for c in CHECKS):
        return None
    return f"no rule is {selector!r} or starts with it (see `iacguard rules`)"


def _selectors(key: str, value: object, fail: Any) -> tuple[str, ...]:
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise fail(key, "must be a list of rule ids, slugs or id prefixes (IG00)")
    return tuple(_selector(f"{key}[{i}]", v, fail) for i, v in enumerate(value))


def _selector(key: str, value: str, fail: Any) -> str:
    why = check_selector(value)
    if why is not None:
        raise fail(key, why)
    return value


def _boolean(key: str, value: object, fail: Any) -> bool:
    if not isinstance(value, bool):
        raise fail(key, f"must be true or false, not {value!r}")
    return value


def _disabled(value: dict[str, Any], fail: Any, rule_id: Any) -> frozenset[str]:
    disabled = set()
    for rule, enabled in value.items():
        if not isinstance(enabled, bool):
            raise fail(f"rules.{rule}", f"must be true or false, not {enabled!r}")
        if not enabled:
            disabled.add(rule_id(f"rules.{rule}", rule))
    return frozenset(disabled)


def _check_pattern(key: str, pattern: str, fail: Any) -> str:
    """``pattern`` if a path pattern may use it (see ``pathmatch.problem``)."""
    from iacguard.pathmatch import problem

    why = problem(pattern)
    if why is not None:
        raise fail(key, f"{pattern!r}: {why}")
    return pattern


def _key_line(text: str, key: str, *, toml: bool) -> int | None:
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
    first = _line_of(text, names[0]) if names else None
    if first is None or len(names) == 1:
        return first
    offset = len("".join(text.splitlines(keepends=True)[: first - 1]))
    later = _line_of(text[offset:], names[-1])
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


def _line_of(text: str, key: str, occurrence: int = 0) -> int | None:
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

"""Settings every face shares, and a config file's keys validated into them.

A config is ``--config FILE``, else the first of ``.iacguard.yaml`` and ``pyproject.toml``
(``[tool.iacguard]``) found in the current directory, then in the git root (found and
read by ``iacguard.config_file``). Paths in it (``exclude``, ``ignore[].path``,
``var_files``) are relative to the file's directory. Unknown keys and wrong types are
errors that name the key.

A config usually comes with the pull request it checks, so it is input like any other:
the files it names must lie inside its own repository, and it may lower
``max_file_bytes`` but not raise it (that is for the command line).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from iacguard.checks.options import OptionError, Settings
from iacguard.config_file import (
    ConfigError,
    find_config_file,
    key_line,
    line_of,
    read_config_file,
)
from iacguard.limits import (
    DEFAULT_MAX_FILE_BYTES,
)
from iacguard.records import dataclass, field
from iacguard.severity import Severity

if TYPE_CHECKING:
    from iacguard.pathmatch import Patterns

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
        return bool(self.exclude) and bool(_excluded(self.exclude).match(self.relative(file)))

    def runs(self, rule_id: str) -> bool:
        """Whether a rule runs: not turned off in ``rules``, selected, not deselected."""
        return rule_id not in self.disabled and rule_id not in deselected(
            self.select, self.deselect
        )

    def settings(self) -> Settings:
        """What the checks read: the options given, else their defaults."""
        return Settings(self.options)


@lru_cache(maxsize=8)
def _excluded(patterns: tuple[str, ...]) -> Patterns:
    from iacguard.pathmatch import Patterns

    return Patterns(patterns)


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


def load_config(explicit: str | None = None) -> Config:
    """The config from ``explicit`` or the first one found; defaults when there is none."""
    path = find_config_file(explicit)
    if path is None:
        return Config()
    name, data, text = read_config_file(path)
    return parse_config(data, name, path.parent, text)


def parse_config(data: dict[str, Any], name: str, root: Path, text: str = "") -> Config:
    """Validate a config mapping into a ``Config``; every error names the key."""
    from iacguard.checks import OPTIONS, find_check

    options = {option.name: option for option in OPTIONS}

    def fail(key: str, problem: str) -> ConfigError:
        line = key_line(text, key, toml=name.endswith(".toml"))
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
        line=line_of(text, "rule", occurrence=int(key[7:-1])),
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

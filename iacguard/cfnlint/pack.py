"""The machinery of the cfn-lint rule pack; ``iacguard.cfnlint`` exposes the rules.

One cfn-lint rule per check in ``iacguard.checks.CHECKS``, generated from it: the id is
the level letter of the check's default severity (E for critical and high, W for medium
and low, I for info), ``91`` and the last two digits of the IG id (IG002 → E9102); the
short description is the check's summary, the description its "What it does" section,
the source URL its first reference. E9100 reports what kept iacguard from checking.

The rules of one template share one engine run: the first of them that cfn-lint runs
parses the template cfn-lint already decoded and runs every check; the others read their
findings from it. A finding becomes a ``RuleMatch`` with the finding's CloudFormation path,
which resource-level ``ignore_checks`` reads, and the finding's exact position: cfn-lint
places a bare path at the *key* of a mapping value, iacguard at the value, so the position
is handed over as the match's ``location``, which cfn-lint uses when present
(``_rule_match_to_match`` in ``cfnlint/rules/_rule.py``).

iacguard's own settings hold as in ``iacguard check``: its config file (found the same
way), with the options given through cfn-lint on top, and the suppressions written in
the template (``# iacguard: ignore[...]`` comments, ``Metadata: iacguard``). A suppressed
finding is not reported to cfn-lint, which has no place for findings accepted on record.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch
from cfnlint.template import Template

from iacguard.checks import CHECKS
from iacguard.checks.base import Check
from iacguard.checks.options import Option, OptionError
from iacguard.config import Config, ConfigError, load_config
from iacguard.findings import Severity
from iacguard.model import Location
from iacguard.records import replace

ERROR_RULE_ID = "E9100"
LEVELS = {
    Severity.CRITICAL: "E",
    Severity.HIGH: "E",
    Severity.MEDIUM: "W",
    Severity.LOW: "W",
    Severity.INFO: "I",
}


def rule_id(check: type[Check]) -> str:
    """The cfn-lint id of a check: IG002 (high) → E9102, IG003 (low) → W9103; a check
    whose findings may rise above its default severity takes the level of the highest."""
    number = int(check.id.removeprefix("IG"))
    if not 0 < number < 100:
        raise ValueError(f"{check.id} has no cfn-lint id: 9101-9199 holds IG001-IG099 only")
    highest = max(check.severities or (check.severity,), key=lambda s: s.rank)
    return f"{LEVELS[highest]}91{number:02d}"


RULE_IDS = {check.id: rule_id(check) for check in CHECKS}


class IacguardRule(CloudFormationLintRule):
    """A cfn-lint rule whose matches come from the template's shared engine run."""

    tags = ["iacguard", "iam"]
    # the check's options (``-x W9105:max_session_seconds=7200``, ``configure_rules`` in
    # .cfnlintrc or in the template's ``Metadata``)
    options: ClassVar[tuple[Option[Any], ...]] = ()

    def __init__(self) -> None:
        super().__init__()
        self.config_definition = {option.name: _definition(option) for option in self.options}
        self.configure()

    def configure(self, configs: Any = None, experimental: bool = False) -> None:
        """cfn-lint configures every rule before it runs any on a template; the options
        given go to the shared engine settings, bad values are reported by E9100."""
        valid, problems = _validate(self.id, configs, self.options)
        native = {k: list(v) if isinstance(v, tuple) else v for k, v in valid.items()}
        super().configure(native, experimental)
        _PACK.configure(self.id, valid, problems)

    def match(self, cfn: Template) -> list[RuleMatch]:
        return _PACK.matches(cfn, self.id)


class CouldNotCheck(IacguardRule):
    """E9100: the engine failed on the template, could not read part of it, or a rule of
    the pack was configured with a value it cannot use."""

    id = ERROR_RULE_ID
    shortdesc = "iacguard could not check this template"
    description = (
        "iacguard failed on this template, could not read part of it, or one of its rules "
        "was given an option it cannot use; the message says what and where. The other "
        "iacguard rules report what could be checked."
    )
    # what it most often reports is a policy document that does not follow the grammar
    source_url = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"


def rule_classes() -> tuple[type[IacguardRule], ...]:
    """E9100 and one rule class per check, in registry order."""
    classes: list[type[IacguardRule]] = [CouldNotCheck]
    for check in CHECKS:
        sections = check.documentation()
        namespace = {
            "__module__": "iacguard.cfnlint",
            "__doc__": f"{RULE_IDS[check.id]}: iacguard {check.id} {check.slug}.",
            "id": RULE_IDS[check.id],
            "shortdesc": check.summary,
            "description": " ".join(sections.get("What it does", check.summary).split()),
            "source_url": _first_url(sections.get("References", "")),
            "tags": ["iacguard", "iam", check.id, check.slug],
            "options": check.options,
        }
        classes.append(type(check.__name__, (IacguardRule,), namespace))
    return tuple(classes)


class _Pack:
    """What the rules share: the options given through cfn-lint (set while cfn-lint
    configures the rules, which it does before running any of them on a template), the
    problems with them, iacguard's config file, and the matches of the last template."""

    def __init__(self) -> None:
        self.options: dict[str, dict[str, Any]] = {}
        self.problems: dict[str, list[str]] = {}
        self._file: tuple[Path, Config, list[str]] | None = None
        self._config: Config | None = None
        self._last: tuple[weakref.ref[Template], Config, dict[str, list[RuleMatch]]] | None = None

    def configure(self, rule: str, options: dict[str, Any], problems: list[str]) -> None:
        self.options[rule] = options
        self.problems[rule] = problems
        self._config = None

    def config(self) -> tuple[Config, list[str]]:
        """iacguard's config file, found as ``iacguard check`` finds it from the current
        directory (read once per directory), with the cfn-lint options on top."""
        cwd = Path.cwd()
        if self._file is None or self._file[0] != cwd:
            try:
                self._file = (cwd, load_config(None), [])
            except ConfigError as error:
                self._file = (cwd, Config(), [f"{error}; the config file is ignored"])
            self._config = None
        if self._config is None:
            given = {
                name: value for options in self.options.values() for name, value in options.items()
            }
            self._config = replace(self._file[1], options={**self._file[1].options, **given})
        return self._config, self._file[2]

    def matches(self, cfn: Template, rule: str) -> list[RuleMatch]:
        config, file_problems = self.config()
        last = self._last
        if last is None or last[0]() is not cfn or last[1] is not config:
            last = (weakref.ref(cfn), config, check_template(cfn, config))
            self._last = last
        found = last[2].get(rule, [])
        if rule == ERROR_RULE_ID:
            problems = [*file_problems, *(p for ps in self.problems.values() for p in ps)]
            found = [RuleMatch([], f"iacguard configuration: {p}") for p in problems] + found
        return found


_PACK = _Pack()


def check_template(cfn: Template, config: Config) -> dict[str, list[RuleMatch]]:
    """Parse the template cfn-lint decoded and check it as every scan ends (enabled
    checks, then suppressions): the matches by rule id."""
    from iacguard.engine import check
    from iacguard.parsers.cloudformation import comment_suppressions, parse_template

    try:
        text = _text(cfn.filename)
        parsed = parse_template(cfn.template, cfn.filename or "<template>", text)
        model = parsed.model
        if text is not None and cfn.filename:
            model.directives.extend(comment_suppressions(text, cfn.filename))
        checked = check(model, config)
    except Exception as exc:  # cfn-lint and its own rules go on whatever happens here
        message = f"iacguard could not check this template: {type(exc).__name__}: {exc}"
        return {ERROR_RULE_ID: [RuleMatch([], message)]}
    matches: dict[str, list[RuleMatch]] = {}
    for finding in checked.findings:
        if finding.suppression is None:
            rule = RULE_IDS[finding.rule_id]
            matches.setdefault(rule, []).append(_match(finding.location, finding.message))
    for error in (*parsed.errors, *checked.errors):
        where = Location(error.file or "", error.line or 1, error.column or 1)
        message = f"iacguard skipped part of this template: {error.message}"
        matches.setdefault(ERROR_RULE_ID, []).append(_match(where, message))
    return matches


def _text(filename: str | None) -> str | None:
    """The text of the file cfn-lint decoded, for what the decoded template does not
    keep: comments, and where the characters of a JSON-text policy are written (a
    template piped to cfn-lint has no file to read)."""
    from iacguard.parsers.source import SourceError, read_text

    if not filename:
        return None
    try:
        return read_text(Path(filename))
    except SourceError:
        return None


def _match(location: Location, message: str) -> RuleMatch:
    """A match at the finding's path and at its exact position (0-based for cfn-lint)."""
    return RuleMatch(
        list(location.path),
        message,
        location=(
            location.line - 1,
            location.column - 1,
            location.end_line - 1,
            location.end_column - 1,
        ),
    )


def _definition(option: Option[Any]) -> dict[str, Any]:
    """cfn-lint's description of an option (its ``config_definition`` entry)."""
    if option.kind == "strings":
        return {"default": list(option.default), "type": "list", "itemtype": "string"}
    return {"default": option.default, "type": option.kind}


def _validate(
    rule: str, configs: Any, options: tuple[Option[Any], ...]
) -> tuple[dict[str, Any], list[str]]:
    """The option values given that hold, and a message for each that does not (cfn-lint
    itself would raise on a non-number and read any word but "true" as false)."""
    if not isinstance(configs, dict):
        return {}, []
    by_name = {option.name: option for option in options}
    valid: dict[str, Any] = {}
    problems: list[str] = []
    for name, value in configs.items():
        option = by_name.get(name)
        if option is None:
            known = ", ".join(by_name) or "none"
            problems.append(f"{rule} has no option {name!r} (its options: {known})")
            continue
        try:
            valid[name] = option.value(value)
        except OptionError as exc:
            problems.append(f"{rule} {name} {exc}; ignored")
    return valid, problems


def _first_url(text: str) -> str:
    for word in text.split():
        if word.startswith(("https://", "http://")):
            return word
    return ""

"""Accepting findings on record: comments, CloudFormation Metadata, config and baselines.

A suppressed finding stays in the results, marked with how and why; it never fails a
run. A comment, Metadata entry or config entry that matches nothing is *unused* and is
reported, so stale suppressions do not pile up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import TYPE_CHECKING

from iacguard.checks import find_check
from iacguard.config import Config, IgnoreEntry
from iacguard.findings import Finding, Suppression, UnusedSuppression
from iacguard.model import Block, Directive, Location

if TYPE_CHECKING:
    from iacguard.baseline import Baseline


def apply(
    findings: list[Finding],
    directives: list[Directive],
    blocks: list[Block],
    config: Config,
    baseline: Baseline | None = None,
    *,
    scanned: Collection[str] = (),
) -> list[UnusedSuppression]:
    """Mark each finding with the first suppression that covers it (comment, metadata,
    config, baseline, in that order); return the suppressions that covered nothing
    (baseline entries only for the ``scanned`` files: a scan of part of a repository
    says nothing about the rest)."""
    by_file: dict[str, list[Block]] = defaultdict(list)
    for block in blocks:
        by_file[block.location.file].append(block)
    declared = declared_at(blocks)
    unused: list[UnusedSuppression] = []

    for directive in sorted(directives, key=lambda d: d.kind):  # comments before metadata
        ids, unknown = _rule_ids(directive.rules)
        where = directive.location
        spans = _spans(directive, by_file[directive.location.file])
        used = False
        for finding in findings:
            if finding.rule_id not in ids:
                continue
            # A finding in a module's caller is also covered where its resource is written.
            places = [finding.location]
            home = declared.get(finding.resource)
            if home is not None and home.file != finding.location.file:
                places.append(home)
            for place in places:
                if place.file == where.file and (
                    spans is None or any(start <= place.line <= end for start, end in spans)
                ):
                    used = True
                    if finding.suppression is None:
                        finding.suppression = Suppression(directive.kind, directive.reason, where)
                    break
        for rule in unknown:
            unused.append(
                UnusedSuppression(
                    directive.kind,
                    where.file,
                    where.line,
                    directive.rules,
                    f"unknown rule {rule!r}",
                )
            )
        # a suppression of rules that did not run (--select, rules: false) cannot be judged
        if not used and not unknown and any(config.runs(rule) for rule in ids):
            unused.append(
                UnusedSuppression(
                    directive.kind, where.file, where.line, directive.rules, "matches no finding"
                )
            )

    for entry in config.ignore:
        used = False
        for finding in findings:
            if _config_covers(entry, finding, config):
                used = True
                if finding.suppression is None:
                    finding.suppression = Suppression("config", entry.reason)
        if not used and config.runs(entry.rule):
            unused.append(
                UnusedSuppression(
                    "config",
                    config.source or "config",
                    entry.line,
                    (entry.rule,),
                    "matches no finding",
                )
            )

    if baseline is not None:
        unused.extend(_apply_baseline(findings, baseline, set(scanned)))
    return unused


def _apply_baseline(
    findings: list[Finding], baseline: Baseline, scanned: set[str]
) -> list[UnusedSuppression]:
    used = set()
    for finding in findings:
        entries = baseline.match(finding)
        used.update(entries)
        if entries and finding.suppression is None:
            finding.suppression = Suppression("baseline", "in the baseline")
    return [
        UnusedSuppression(
            "baseline",
            entry.file,
            None,
            (entry.rule_id,),
            f"baseline entry {entry.fingerprint[:12]} ({entry.resource}) matches no finding",
        )
        for entry in baseline.entries
        if entry not in used and entry.file in scanned
    ]


def _rule_ids(rules: tuple[str, ...]) -> tuple[set[str], list[str]]:
    ids, unknown = set(), []
    for rule in rules:
        check = find_check(rule)
        if check is None:
            unknown.append(rule)
        else:
            ids.add(check.id)
    return ids, unknown


def declared_at(blocks: list[Block]) -> dict[str, Location]:
    """Where each resource is written, for addresses that name one resource only (two
    templates may each have a ``Role``)."""
    found: dict[str, Location | None] = {}
    for block in blocks:
        found[block.address] = None if block.address in found else block.location
    return {address: location for address, location in found.items() if location is not None}


def _spans(directive: Directive, blocks: list[Block]) -> list[tuple[int, int]] | None:
    """The line ranges a directive covers; None means the whole file."""
    if directive.kind == "metadata":
        if directive.covers is None:
            return None
        return [(directive.covers.line, directive.covers.end_line)]
    line = directive.location.line
    spans = [(line, line + 1)]
    spans += [
        (b.location.line, b.location.end_line)
        for b in blocks
        if b.location.line in (line, line + 1)
    ]
    return spans


def _config_covers(entry: IgnoreEntry, finding: Finding, config: Config) -> bool:
    if finding.rule_id != entry.rule:
        return False
    if entry.resource is not None and finding.resource != entry.resource:
        return False
    if entry.path is None:
        return True
    from iacguard.pathmatch import matches

    return matches(entry.path, config.relative(finding.location.file))

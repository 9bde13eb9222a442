"""The registry, the check modules and the fixtures agree."""

from __future__ import annotations

import importlib
import pkgutil

from helpers import FIXTURES

import iacguard.checks
from iacguard.checks import CHECKS, find_check
from iacguard.checks.base import Check


def test_ids_are_sequential_and_slugs_unique() -> None:
    assert [c.id for c in CHECKS] == [f"IG{n:03d}" for n in range(1, len(CHECKS) + 1)]
    assert len({c.slug for c in CHECKS}) == len(CHECKS)


def test_every_check_module_is_registered_once() -> None:
    found = []
    for module in pkgutil.iter_modules(iacguard.checks.__path__):
        if module.name in ("base", "options"):  # what every check is made of
            continue
        loaded = importlib.import_module(f"iacguard.checks.{module.name}")
        found += [
            value
            for value in vars(loaded).values()
            if isinstance(value, type)
            and issubclass(value, Check)
            and value is not Check
            and value.__module__ == loaded.__name__
        ]
        assert module.name == found[-1].slug.replace("-", "_"), "a module is named after its check"
    assert sorted(found, key=lambda c: c.id) == list(CHECKS)


def test_every_check_has_a_positive_and_a_negative_cloudformation_fixture() -> None:
    """Flat (``wildcard_action_positive.yaml``) or one folder per rule
    (``unknown-action/positive.yaml``)."""
    cloudformation = FIXTURES / "cloudformation"
    for check in CHECKS:
        stem = check.slug.replace("-", "_")
        for case in ("positive", "negative"):
            flat = cloudformation / f"{stem}_{case}.yaml"
            folder = cloudformation / check.slug / f"{case}.yaml"
            assert flat.is_file() or folder.is_file(), (check.id, case)


def test_find_check_by_id_or_slug() -> None:
    assert find_check("ig003") is find_check("user-not-in-group") is CHECKS[2]
    assert find_check("nope") is None

"""The registry, the check modules and the fixtures agree."""

from __future__ import annotations

import importlib
import pkgutil

import iacguard.checks
from iacguard.checks import CHECKS, find_check
from iacguard.checks.base import Check


def test_ids_are_in_order_and_slugs_unique() -> None:
    ids = [c.id for c in CHECKS]
    assert ids == sorted(set(ids))
    assert all(c.id.startswith("IG") and len(c.id) == 5 for c in CHECKS)
    assert len({c.slug for c in CHECKS}) == len(CHECKS)


def test_every_check_module_is_registered_once() -> None:
    found = []
    for module in pkgutil.iter_modules(iacguard.checks.__path__):
        if module.name in ("base", "options"):  # what every check is made of
            continue
        loaded = importlib.import_module(f"iacguard.checks.{module.name}")
        defined = [
            value
            for value in vars(loaded).values()
            if isinstance(value, type)
            and issubclass(value, Check)
            and value is not Check
            and value.__module__ == loaded.__name__
        ]
        if not defined:
            continue  # shared by several checks (access, oidc_subjects…)
        found += defined
        assert module.name == found[-1].slug.replace("-", "_"), "a module is named after its check"
    assert sorted(found, key=lambda c: c.id) == list(CHECKS)


def test_find_check_by_id_or_slug() -> None:
    assert find_check("ig003") is find_check("user-not-in-group") is CHECKS[2]
    assert find_check("nope") is None

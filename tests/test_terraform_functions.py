"""Terraform's built-in functions and expressions that policy-building modules use: each
is evaluated statically to the value Terraform gives it."""

from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.parsers.terraform import Loader
from iacguard.resolve.terraform import Evaluator
from iacguard.resolve.terraform_scope import Instance, Scope
from iacguard.resolve.terraform_values import plain

CASES = [
    ('one(["a"])', "a"),
    ("one([])", None),
    ('basename("policies/admin.json")', "admin.json"),
    ("path.module", "."),
    ("path.root", "."),
    ("path.cwd", "."),
    ('try(local.missing, "fallback")', "fallback"),
    ('try(local.names[0], "x")', "alice"),
    ("can(local.names[0])", True),
    ('coalesce(null, "", "b")', "b"),
    ('coalescelist([], ["b"])', ["b"]),
    ('lookup({ a = "1" }, "b", "none")', "none"),
    ('lookup({ a = "1" }, "a")', "1"),
    ("merge({ a = 1, b = 2 }, { b = 3 })", {"a": 1, "b": 3}),
    ('concat(["a"], ["b", "c"])', ["a", "b", "c"]),
    ('flatten([["a"], ["b", ["c"]]])', ["a", "b", "c"]),
    ('distinct(["a", "b", "a"])', ["a", "b"]),
    ('compact(["a", "", null, "b"])', ["a", "b"]),
    ('toset(["b", "a", "b"])', ["b", "a"]),
    ('tolist(["a"])', ["a"]),
    ('tomap({ a = "b" })', {"a": "b"}),
    ("keys({ b = 1, a = 2 })", ["a", "b"]),
    ("values({ b = 1, a = 2 })", [2, 1]),
    ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
    ('element(["a", "b"], 3)', "b"),
    ('contains(["s3:*"], "s3:*")', True),
    ('startswith("arn:aws:iam", "arn:")', True),
    ('endswith("admin.json", ".yaml")', False),
    ('replace("s3:Get*", "Get", "Put")', "s3:Put*"),
    ('format("%s:%s", "s3", "GetObject")', "s3:GetObject"),
    ('join(",", ["a", "b"])', "a,b"),
    ('split(",", "s3:GetObject,s3:*")', ["s3:GetObject", "s3:*"]),
    ('toset(split(",", "a,b,a"))', ["a", "b"]),
    ("length(local.names)", 2),
    ('[for n in local.names : upper(n) if n != "bob"]', ["ALICE"]),
    ("{ for n in local.names : n => length(n) }", {"alice": 5, "bob": 3}),
]


@pytest.fixture(scope="module")
def evaluate(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    directory: Path = tmp_path_factory.mktemp("functions")
    body = "".join(f"  case{i} = {text}\n" for i, (text, _) in enumerate(CASES))
    (directory / "main.tf").write_text(f'locals {{\n  names = ["alice", "bob"]\n{body}}}\n')
    loader = Loader(allowed=[directory])
    module = loader.module(directory, [directory / "main.tf"])
    instance = Instance(module, directory)
    evaluator = Evaluator(loader)

    def value(index: int) -> object:
        return plain(evaluator.value(module.locals[f"case{index}"].expr, Scope(instance)))

    return value


@pytest.mark.parametrize(
    ("index", "expected"), [(i, v) for i, (_, v) in enumerate(CASES)], ids=[t for t, _ in CASES]
)
def test_a_builtin_gives_the_value_terraform_gives(evaluate, index: int, expected: object) -> None:  # type: ignore[no-untyped-def]
    assert evaluate(index) == expected

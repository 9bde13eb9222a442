"""Attributes the provider computes resolve as the reader declares them: the evaluator
itself knows no resource type."""

from __future__ import annotations

from pathlib import Path

from iacguard.model import Unknown
from iacguard.parsers.terraform import Loader
from iacguard.parsers.terraform_iam_resources import COMPUTED
from iacguard.resolve.terraform import Evaluator
from iacguard.resolve.terraform_computed import Computed
from iacguard.resolve.terraform_scope import Instance, Scope
from iacguard.resolve.terraform_values import DocumentRef, plain

MAIN = """\
resource "aws_iam_user" "alice" {
  name = "alice"
}
resource "aws_iam_openid_connect_provider" "github" {
  url = "https://token.actions.githubusercontent.com/"
}
data "aws_iam_policy_document" "p" {}
data "aws_caller_identity" "me" {}
locals {
  user_id  = aws_iam_user.alice.id
  provider = aws_iam_openid_connect_provider.github.arn
  account  = data.aws_caller_identity.me.account_id
  document = data.aws_iam_policy_document.p.json
}
"""


def evaluate(tmp_path: Path, computed: Computed | None) -> dict[str, object]:
    (tmp_path / "main.tf").write_text(MAIN)
    loader = Loader(allowed=[tmp_path])
    module = loader.module(tmp_path, [tmp_path / "main.tf"])
    evaluator = Evaluator(loader, computed)
    scope = Scope(Instance(module, tmp_path))
    found = {name: evaluator.value(a.expr, scope) for name, a in module.locals.items()}
    shown = {DocumentRef: lambda v: v.address, Unknown: lambda v: f"unknown: {v.why}"}
    return {name: shown.get(type(v), plain)(v) for name, v in found.items()}


def test_the_iam_reader_declares_what_its_computed_attributes_hold(tmp_path: Path) -> None:
    assert evaluate(tmp_path, COMPUTED) == {
        "user_id": "alice",
        "provider": "arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com",
        "account": "${AWS::AccountId}",
        "document": "data.aws_iam_policy_document.p",
    }


def test_without_the_declaration_a_computed_attribute_is_unknown(tmp_path: Path) -> None:
    assert evaluate(tmp_path, None) == {
        "user_id": "unknown: id of aws_iam_user.alice is known only after apply",
        "provider": "unknown: arn of aws_iam_openid_connect_provider.github is known only after apply",
        "account": "unknown: account_id of data.aws_caller_identity.me is known only after apply",
        "document": "unknown: json of data.aws_iam_policy_document.p is known only after apply",
    }

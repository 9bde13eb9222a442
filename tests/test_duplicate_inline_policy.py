from pathlib import Path

from helpers import ROOT, described, run

from iacguard.config import Config
from iacguard.discover import display_path
from iacguard.engine import ScanResult

TF = "fixtures/terraform/duplicate-inline-policy"
CFN = "fixtures/cloudformation/duplicate-inline-policy"
ONLY = Config(disabled=frozenset({"IG001", "IG002", "IG003", "IG006", "IG007", "IG008", "IG009"}))
FIX = "; make it one customer managed policy and attach it where it is needed"


def related(result: ScanResult) -> list[list[str]]:
    return [
        [f"{r.location.file}:{r.location.line} {r.message}" for r in f.related]
        for f in result.findings
    ]


def test_terraform_copies_in_every_form_are_reported_at_each_copy() -> None:
    path = f"{TF}/positive_copied_between_roles/main.tf"
    result = run(path, config=ONLY)
    assert described(result) == [
        f"IG017 {path}:15:3 low aws_iam_role.api: Inline policy read-orders of role "
        "aws_iam_role.api has the same statements as inline policy orders of role "
        f"aws_iam_role.worker (line 40){FIX}",
        f"IG017 {path}:40:1 low aws_iam_role_policy.worker: Inline policy orders of role "
        "aws_iam_role.worker has the same statements as inline policy read-orders of role "
        f"aws_iam_role.api (line 15){FIX}",
        f"IG017 {path}:74:1 low aws_iam_group_policy.analysts: Inline policy read-reports of "
        "group aws_iam_group.analysts has the same statements as inline policy read-reports "
        f"of group aws_iam_group.auditors (line 80){FIX}",
        f"IG017 {path}:80:1 low aws_iam_group_policy.auditors: Inline policy read-reports of "
        "group aws_iam_group.auditors has the same statements as inline policy read-reports "
        f"of group aws_iam_group.analysts (line 74){FIX}",
    ]
    same = "same statements: inline policy"
    assert related(result) == [
        [f"{path}:40 {same} orders of role aws_iam_role.worker"],
        [f"{path}:15 {same} read-orders of role aws_iam_role.api"],
        [f"{path}:80 {same} read-reports of group aws_iam_group.auditors"],
        [f"{path}:74 {same} read-reports of group aws_iam_group.analysts"],
    ]


def test_cloudformation_copies_and_one_policy_embedded_twice() -> None:
    path = f"{CFN}/positive_copied_between_roles.json"
    result = run(path, config=ONLY)
    assert described(result) == [
        f"IG017 {path}:10:11 low ApiRole: Inline policy read-orders of role ApiRole has the "
        f"same statements as inline policy orders of role WorkerRole (line 30){FIX}",
        f"IG017 {path}:30:5 low WorkerOrdersPolicy: Inline policy orders of role WorkerRole has "
        f"the same statements as inline policy read-orders of role ApiRole (line 10){FIX}",
        f"IG017 {path}:44:5 low SharedQueuePolicy: Inline policy receive-orders is embedded in "
        f"each of role ApiRole, role WorkerRole{FIX}",
    ]
    same = "same statements: inline policy"
    assert related(result) == [
        [f"{path}:30 {same} orders of role WorkerRole"],
        [f"{path}:10 {same} read-orders of role ApiRole"],
        [],
    ]


def test_copies_in_other_templates_are_named_with_their_file(tmp_path: Path) -> None:
    text = (ROOT / CFN / "positive_copied_between_roles.json").read_text()
    (tmp_path / "a.json").write_text(text)
    (tmp_path / "b.json").write_text(text)
    result = run(tmp_path, config=ONLY)
    a, b = (display_path(tmp_path / name) for name in ("a.json", "b.json"))
    assert described(result)[0] == (
        f"IG017 {a}:10:11 low ApiRole: Inline policy read-orders of role ApiRole has the same "
        "statements as inline policy orders of role WorkerRole (line 30); inline policy "
        f"read-orders of role ApiRole ({b}:10); inline policy orders of role WorkerRole "
        f"({b}:30){FIX}"
    )
    same = "same statements: inline policy"
    assert related(result)[0] == [
        f"{a}:30 {same} orders of role WorkerRole",
        f"{b}:10 {same} read-orders of role ApiRole",
        f"{b}:30 {same} orders of role WorkerRole",
    ]


def test_distinct_inline_policies_and_shared_managed_policies_pass() -> None:
    assert described(run(f"{TF}/negative_shared_managed_policy", config=ONLY)) == []
    assert described(run(f"{CFN}/negative_shared_managed_policy.yaml", config=ONLY)) == []

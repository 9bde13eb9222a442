"""Terraform plan JSON (``terraform show -json PLANFILE``) is recognised by content and read
by the same IAM reader as ``.tf`` files: same rules, same addresses, and with the
configuration's files present, the same file:line.

``fixtures/terraform/plan/plan.json`` is the plan of the configuration beside it. No
terraform binary is needed (or obtainable here): the plan was written by hand in the exact
shape Terraform 1.9 writes; the fixture's README.md says how, and how to regenerate it with
``terraform plan -out plan.bin && terraform show -json plan.bin``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, described, iacguard, run

F = "fixtures/terraform/plan"
TF, TEAM = f"{F}/main.tf", f"{F}/modules/team/main.tf"
BUILD, DEPLOY = 'module.team["build"].aws_iam_role.this', 'module.team["deploy"].aws_iam_role.this'
ESCALATION_TOOLS = (
    "sts:AssumeRole, sts:GetFederationToken, iam:CreateAccessKey and 20 more on any resource "
    '(Resource "*"): each returns credentials or secrets'
)
PASSROLE = (
    'iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition)'
)
TRUST = (
    "Principals of account 111122223333 can assume role aws_iam_role.deployer (statement #1) "
    "without an external id or MFA: add an sts:ExternalId condition, or list the account in "
    "trusted_accounts if it is yours"
)
WRITE = 'Statement #1 grants 1 Write action on any resource (Resource "*") through s3:PutObject'


def _duplicate(role: str, other: str, line: int) -> str:
    return (
        f"Inline policy artifacts of role {role} has the same statements as inline policy "
        f"artifacts of role {other} (line {line}); make it one customer managed policy and "
        "attach it where it is needed"
    )


def _plan() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / F / "plan.json").read_text(encoding="utf-8"))
    return data


def _write(directory: Path, plan: Any, name: str = "plan.json") -> Path:
    path = directory / name
    path.write_text(plan if isinstance(plan, str) else json.dumps(plan, indent=2))
    return path


def test_findings_of_a_plan_point_at_the_tf_files_beside_it() -> None:
    """The plan's directory is the root module; the local module's files are found from
    its ``source`` in the plan's configuration."""
    result = run(f"{F}/plan.json")
    assert (result.errors, result.scanned) == ([], [f"{F}/plan.json"])
    assert described(result) == [
        f'IG003 {TF}:28:1 low aws_iam_user.bob: User "bob" belongs to no IAM group; '
        "grant permissions through groups",
        f"IG002 {TF}:45:47 critical aws_iam_policy.admin: Statement #1 allows * on every "
        "resource (full administrator access)",
        f"IG008 {TF}:45:47 high aws_iam_policy.admin: Statement #1 allows {PASSROLE}",
        f"IG009 {TF}:45:47 high aws_iam_policy.admin: Statement #1 allows {ESCALATION_TOOLS}",
        # the ARN is unknown until apply: the configuration says it is aws_iam_policy.admin's
        f"IG004 {TF}:51:1 medium aws_iam_user_policy_attachment.bob_admin: Managed policy "
        "aws_iam_policy.admin is attached directly to user aws_iam_user.bob; attach it to a group",
        f"IG012 {TF}:62:22 medium aws_iam_role.deployer: {TRUST}",
        f"IG017 {TEAM}:16:3 low {BUILD}: {_duplicate(BUILD, DEPLOY, 16)}",
        f"IG017 {TEAM}:16:3 low {DEPLOY}: {_duplicate(DEPLOY, BUILD, 16)}",
        f"IG007 {TEAM}:20:66 medium {BUILD}: {WRITE}",
        f"IG007 {TEAM}:20:66 medium {DEPLOY}: {WRITE}",
    ]


def test_a_value_known_only_after_apply_is_unresolved_never_a_pass() -> None:
    result = run(f"{F}/plan.json")
    assert [(u.file, u.line, u.resource, u.expression) for u in result.unresolved] == [
        (TF, 82, "aws_iam_role_policy.deployer_logs", "aws_s3_bucket.logs.arn")
    ]
    shown = iacguard("check", f"{F}/plan.json", "--show-unresolved")
    assert (
        f"{TF}:82: unresolved: aws_iam_role_policy.deployer_logs: aws_s3_bucket.logs.arn: "
        "the policy document cannot be resolved\n"
    ) in shown.stdout


def _seen(result: Any) -> set[tuple[str, str, str, str, int, int, str]]:
    return {
        (
            f.rule_id,
            f.resource,
            f.severity.value,
            f.location.file,
            f.location.line,
            f.location.column,
            f.message,
        )
        for f in result.findings
    }


# What the two views of the fixture are meant to disagree on. A policy whose text names a
# value known only after apply (the bucket's ARN in ``jsonencode``) is one unknown string
# in the plan: the .tf files still show its ``s3:*``, the plan reports it unresolved.
ONLY_IN_TF_FILES = {
    (
        "IG002",
        "aws_iam_role_policy.deployer_logs",
        "high",
        TF,
        84,
        47,
        "Statement #1 allows s3:* (every s3 action)",
    )
}


def test_the_plan_and_the_tf_files_give_the_same_findings() -> None:
    """Rule, resource address, severity, file, line, column and message."""
    from_tf = run(TF, f"{F}/modules/team")
    from_plan = run(f"{F}/plan.json")
    assert (from_tf.errors, from_plan.errors) == ([], [])
    assert _seen(from_tf) - _seen(from_plan) == ONLY_IN_TF_FILES
    assert _seen(from_plan) - _seen(from_tf) == set()
    assert {u.resource for u in from_plan.unresolved} - {
        u.resource for u in from_tf.unresolved
    } == {"aws_iam_role_policy.deployer_logs"}


def test_a_plan_alone_points_at_itself_with_the_resource_address(tmp_path: Path) -> None:
    """Without the .tf files, a finding is where the plan writes the value (inside the
    policy text for a statement), under the resource's address."""
    shutil.copy(ROOT / F / "plan.json", tmp_path / "plan.json")
    result = run(tmp_path / "plan.json")
    file = f"{tmp_path.as_posix()}/plan.json"
    assert [d.split(": ")[0] for d in described(result)] == [
        f"IG002 {file}:31:52 critical aws_iam_policy.admin",
        f"IG008 {file}:31:52 high aws_iam_policy.admin",
        f"IG009 {file}:31:52 high aws_iam_policy.admin",
        f"IG003 {file}:92:22 low aws_iam_user.bob",
        f"IG004 {file}:129:22 medium aws_iam_user_policy_attachment.bob_admin",
        f"IG017 {file}:182:19 low {BUILD}",
        f"IG007 {file}:184:78 medium {BUILD}",
        f"IG017 {file}:218:19 low {DEPLOY}",
        f"IG007 {file}:220:78 medium {DEPLOY}",
        f"IG012 {file}:668:25 medium aws_iam_role.deployer",  # the document in prior_state
    ]
    lines = (ROOT / F / "plan.json").read_text().splitlines()
    assert '"address": "aws_iam_user.bob"' in lines[92 - 1]
    assert '"arn:aws:iam::111122223333:root"' in lines[668 - 1]
    assert [(u.line, u.resource) for u in result.unresolved] == [
        (62, "aws_iam_role_policy.deployer_logs")
    ]


def test_a_plan_is_recognised_by_content_whatever_its_name(tmp_path: Path) -> None:
    """Found in a directory, a plan is read as a plan (not as a CloudFormation candidate,
    nor skipped), even one without any IAM resource."""
    _write(tmp_path, _plan(), "output.json")
    empty = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": {}},
        "configuration": {"root_module": {}},
    }
    _write(tmp_path, empty, "network.json")
    result = run(tmp_path)
    assert (result.errors, result.skipped) == ([], [])
    assert sorted(Path(f).name for f in result.scanned) == ["network.json", "output.json"]
    assert "aws_iam_policy_attachment" not in {f.resource for f in result.findings}
    assert {f.resource for f in result.findings} >= {"aws_iam_user.bob", BUILD, DEPLOY}


def test_a_broken_plan_is_one_error_and_the_rest_is_scanned(tmp_path: Path) -> None:
    text = json.dumps(_plan(), indent=2)
    cut = text.index('"aws_iam_user.bob"') + 5  # inside the string
    _write(tmp_path, text[:cut], "broken.json")
    line = text[:cut].count("\n") + 1
    column = cut - text.rindex("\n", 0, cut) - 5
    shutil.copy(ROOT / F / "plan.json", tmp_path / "plan.json")
    shown = iacguard("check", ".", cwd=tmp_path)
    assert (shown.returncode, shown.stderr) == (
        2,
        f"broken.json:{line}:{column}: error: not valid JSON: unterminated string\n",
    )
    assert "plan.json:92:22  LOW  IG003  aws_iam_user.bob" in shown.stdout


def _errors(tmp_path: Path, plan: Any) -> list[tuple[int | None, str]]:
    result = run(_write(tmp_path, plan))
    return [(e.line, e.message) for e in result.errors]


def test_a_value_of_the_wrong_type_costs_that_value_only(tmp_path: Path) -> None:
    plan = _plan()
    resources = plan["planned_values"]["root_module"]["resources"]
    bucket = next(r for r in resources if r["address"] == "aws_s3_bucket.logs")
    admin = next(r for r in resources if r["address"] == "aws_iam_policy.admin")
    admin["values"] = ["not", "an", "object"]
    bucket["type"] = 7
    plan["planned_values"]["root_module"]["child_modules"][1] = "module.team"
    plan["resource_changes"] = {"not": "a list"}
    path = _write(tmp_path, plan)
    result = run(path)
    lines = path.read_text().splitlines()
    errors = [(e.line, e.message) for e in result.errors]
    assert errors == [  # the plan's structure first, then each resource
        (
            next(i for i, text in enumerate(lines, 1) if '"module.team"' in text),
            "planned_values.root_module.child_modules[1]: expected an object, not a string",
        ),
        (
            next(i for i, text in enumerate(lines, 1) if '"resource_changes": {' in text),
            "resource_changes: expected a list, not an object",
        ),
        (
            next(i for i, text in enumerate(lines, 1) if '"values": [' in text),
            "aws_iam_policy.admin: values: expected an object, not a list",
        ),
        (
            next(i for i, text in enumerate(lines, 1) if '"type": 7' in text) - 3,
            "a resource in the root module needs a string address, mode, type and name",
        ),
    ]
    # the rest is read: all but the policy and the module instance of the wrong type
    assert [(f.rule_id, f.resource) for f in result.findings] == [
        ("IG003", "aws_iam_user.bob"),
        ("IG004", "aws_iam_user_policy_attachment.bob_admin"),
        ("IG007", BUILD),
        ("IG012", "aws_iam_role.deployer"),
    ]


def test_a_policy_that_is_not_json_is_an_error_at_its_resource(tmp_path: Path) -> None:
    plan = _plan()
    for resource in plan["planned_values"]["root_module"]["resources"]:
        if resource["address"] == "aws_iam_policy.admin":
            resource["values"]["policy"] = '{"Statement": [{"Action": "*",'
    path = _write(tmp_path, plan)
    line = next(
        i for i, t in enumerate(path.read_text().splitlines(), 1) if '"Action\\": \\"*\\",' in t
    )
    result = run(path)
    assert [(e.line, e.message) for e in result.errors] == [
        (line, "aws_iam_policy.admin: the policy is not valid JSON: expected a quoted key")
    ]
    assert {f.resource for f in result.findings} >= {"aws_iam_user.bob", BUILD}


def test_json_nested_too_deeply_is_an_error(tmp_path: Path) -> None:
    deep = '{"format_version": "1.2", "terraform_version": "1.9.8", "planned_values": '
    deep += "[" * 5000 + "]" * 5000 + "}"
    errors = _errors(tmp_path, deep)
    assert len(errors) == 1 and "nested too deeply" in errors[0][1]


def test_a_sensitive_value_the_plan_does_not_show_is_unresolved(tmp_path: Path) -> None:
    """``terraform show -json`` shows sensitive values (they are read as shown); a
    redacted plan leaves them out: unknown, not unset."""
    plan = _plan()
    for resource in plan["planned_values"]["root_module"]["resources"]:
        if resource["address"] == "aws_iam_policy.admin":
            del resource["values"]["policy"]
            resource["sensitive_values"]["policy"] = True
    path = _write(tmp_path, plan)
    result = run(path)
    assert "aws_iam_policy.admin" not in {f.resource for f in result.findings}
    lines = path.read_text().splitlines()
    address = next(i for i, t in enumerate(lines, 1) if '"address": "aws_iam_policy.admin"' in t)
    assert (address, "aws_iam_policy.admin", "policy") in {
        (u.line, u.resource, u.expression) for u in result.unresolved
    }


def test_a_suppression_comment_in_the_tf_files_covers_the_plan_finding(tmp_path: Path) -> None:
    shutil.copytree(ROOT / F, tmp_path / "plan")
    main = tmp_path / "plan" / "main.tf"
    main.write_text(
        main.read_text().replace(
            'resource "aws_iam_user" "bob" {',
            '# iacguard: ignore[IG003] break-glass user\nresource "aws_iam_user" "bob" {',
        )
    )
    result = run(tmp_path / "plan" / "plan.json")
    bob = [f for f in result.findings if f.resource == "aws_iam_user.bob"]
    assert [(f.rule_id, f.location.file, f.location.line, f.suppressed) for f in bob] == [
        ("IG003", main.as_posix(), 29, True)
    ]
    assert result.unused_suppressions == []


def _user(prefix: str, name: str) -> dict[str, Any]:
    """A user of the registry module iam-user (``count = var.create_user ? 1 : 0``) as a
    plan lists it: its instance key in the address and ``index``."""
    return {
        "address": f"{prefix}.aws_iam_user.this[0]",
        "mode": "managed",
        "type": "aws_iam_user",
        "name": "this",
        "index": 0,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "schema_version": 0,
        "values": {"force_destroy": False, "name": name, "path": "/", "tags": None},
        "sensitive_values": {"tags_all": {}},
    }


def _attachment(prefix: str) -> dict[str, Any]:
    """The module's ``aws_iam_user_policy_attachment.this`` for ``policy_arns =
    {admin = …}``: a ``for_each`` instance."""
    return {
        "address": f'{prefix}.aws_iam_user_policy_attachment.this["admin"]',
        "mode": "managed",
        "type": "aws_iam_user_policy_attachment",
        "name": "this",
        "index": "admin",
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "schema_version": 0,
        "values": {"policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess", "user": "build"},
        "sensitive_values": {},
    }


def test_a_downloaded_module_is_found_through_modules_json(tmp_path: Path) -> None:
    """After ``terraform init``, a registry module's findings point at its file under
    .terraform/modules, as in the .tf view, with the same address (no ``[0]``); the
    attachment names its user through ``aws_iam_user.this[0].name``."""
    shutil.copytree(ROOT / "fixtures/terraform/downloaded_modules", tmp_path / "root")
    users = 'module.ci_users["{}"]'
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {
            "root_module": {
                "child_modules": [
                    {"resources": [_user(users.format(k), k)], "address": users.format(k)}
                    for k in ("build", "release")
                ]
            }
        },
        "configuration": {
            "root_module": {
                "module_calls": {
                    "ci_users": {
                        "source": "terraform-aws-modules/iam/aws//modules/iam-user",
                        "version_constraint": "5.30.0",
                        "for_each_expression": {},
                        "module": {
                            "resources": [
                                {
                                    "address": "aws_iam_user.this",
                                    "mode": "managed",
                                    "type": "aws_iam_user",
                                    "name": "this",
                                    "provider_config_key": "aws",
                                    "expressions": {"name": {"references": ["var.name"]}},
                                    "schema_version": 0,
                                    "count_expression": {"references": ["var.create_user"]},
                                },
                                {
                                    "address": "aws_iam_user_policy_attachment.this",
                                    "mode": "managed",
                                    "type": "aws_iam_user_policy_attachment",
                                    "name": "this",
                                    "provider_config_key": "aws",
                                    "expressions": {
                                        "policy_arn": {"references": ["each.value"]},
                                        "user": {
                                            "references": [
                                                "aws_iam_user.this[0].name",
                                                "aws_iam_user.this[0]",
                                                "aws_iam_user.this",
                                            ]
                                        },
                                    },
                                    "schema_version": 0,
                                    "for_each_expression": {"references": ["var.policy_arns"]},
                                },
                            ]
                        },
                    }
                }
            }
        },
    }
    build = plan["planned_values"]["root_module"]["child_modules"][0]
    build["resources"].append(_attachment(users.format("build")))
    result = run(_write(tmp_path / "root", plan))
    module = f"{tmp_path.as_posix()}/root/.terraform/modules/ci_users/modules/iam-user/main.tf"
    user = 'module.ci_users["build"].aws_iam_user.this'
    attachment = 'module.ci_users["build"].aws_iam_user_policy_attachment.this'
    assert (result.errors, described(result)) == (
        [],
        [
            f'IG003 {module}:1:1 low module.ci_users["build"].aws_iam_user.this: '
            'User "build" belongs to no IAM group; grant permissions through groups',
            f'IG003 {module}:1:1 low module.ci_users["release"].aws_iam_user.this: '
            'User "release" belongs to no IAM group; grant permissions through groups',
            f"IG004 {module}:12:1 medium {attachment}: Managed policy "
            "arn:aws:iam::aws:policy/AdministratorAccess is attached directly to user "
            f"{user}; attach it to a group",
            f"IG015 {module}:16:16 critical {attachment}: AWS managed policy "
            f"AdministratorAccess is attached to user {user}: it grants every action on every "
            "resource; grant only the actions it needs",
        ],
    )


def test_a_data_source_read_at_apply_is_read_from_planned_values(tmp_path: Path) -> None:
    """A document whose inputs are unknown while planning is read at apply: it is in
    ``planned_values`` and ``resource_changes`` (action ``read``), its ``json`` unknown. Its
    statements are still read, the unknown parts unresolved."""
    plan = _plan()
    document = plan["prior_state"]["values"]["root_module"]["resources"].pop()
    del plan["prior_state"]
    values = document["values"]
    del values["json"], values["minified_json"], values["id"]
    values["statement"][0]["resources"] = [None]
    plan["planned_values"]["root_module"]["resources"].append(document)
    unknown: dict[str, Any] = {"id": True, "json": True, "minified_json": True}
    unknown["statement"] = [{"resources": [True]}]
    plan["resource_changes"].append(
        {
            "address": document["address"],
            "mode": "data",
            "type": document["type"],
            "name": document["name"],
            "provider_name": document["provider_name"],
            "change": {
                "actions": ["read"],
                "before": None,
                "after": values,
                "after_unknown": unknown,
            },
            "action_reason": "read_because_config_unknown",
        }
    )
    for role in plan["planned_values"]["root_module"]["resources"]:
        if role["address"] == "aws_iam_role.deployer":
            del role["values"]["assume_role_policy"]  # unknown: the document's json
    path = _write(tmp_path, plan)
    result = run(path)
    lines = path.read_text().splitlines()
    trust = next(i for i, t in enumerate(lines, 1) if '"arn:aws:iam::111122223333:root"' in t)
    column = lines[trust - 1].index('"arn') + 1
    assert [d.split(": ")[0].split(" ", 1)[1] for d in described(result) if "deployer" in d] == [
        f"{path.as_posix()}:{trust}:{column} medium aws_iam_role.deployer"
    ]
    resources = next(i for i, t in enumerate(lines, 1) if '"resources": [' in t and i > trust - 20)
    assert (resources + 1, "data.aws_iam_policy_document.deployer_trust") in {
        (u.line, u.resource) for u in result.unresolved
    }


def test_an_unknown_value_names_a_resource_through_a_module_output(tmp_path: Path) -> None:
    """``policy_arn = module.ops_policy.arn``, the module's output being
    ``aws_iam_policy.policy[0].arn`` (terraform-aws-modules' iam-policy): the attachment
    is linked to that policy, as in the .tf view."""
    plan = _plan()
    policy = next(
        r
        for r in plan["planned_values"]["root_module"]["resources"]
        if r["address"] == "aws_iam_policy.admin"
    )
    module_policy = {
        **policy,
        "address": "module.ops_policy.aws_iam_policy.policy[0]",
        "name": "policy",
        "index": 0,
    }
    plan["planned_values"]["root_module"]["child_modules"].append(
        {"resources": [module_policy], "address": "module.ops_policy"}
    )
    root = plan["configuration"]["root_module"]
    attachment = next(r for r in root["resources"] if r["name"] == "bob_admin")
    attachment["expressions"]["policy_arn"] = {
        "references": ["module.ops_policy.arn", "module.ops_policy"]
    }
    arn = ["aws_iam_policy.policy[0].arn", "aws_iam_policy.policy[0]", "aws_iam_policy.policy"]
    root["module_calls"]["ops_policy"] = {
        "source": "terraform-aws-modules/iam/aws//modules/iam-policy",
        "module": {
            "outputs": {"arn": {"expression": {"references": arn}}},
            "resources": [
                {
                    "address": "aws_iam_policy.policy",
                    "mode": "managed",
                    "type": "aws_iam_policy",
                    "name": "policy",
                    "expressions": {"policy": {"references": ["var.policy"]}},
                    "count_expression": {"references": ["var.create_policy"]},
                }
            ],
        },
    }
    result = run(_write(tmp_path, plan))
    assert result.errors == []
    assert [f.message for f in result.findings if f.rule_id == "IG004"] == [
        "Managed policy module.ops_policy.aws_iam_policy.policy is attached directly to user "
        "aws_iam_user.bob; attach it to a group"
    ]


def test_a_plan_over_the_size_limit_is_an_error(tmp_path: Path) -> None:
    shutil.copy(ROOT / F / "plan.json", tmp_path / "plan.json")
    shown = iacguard("check", "plan.json", "--max-file-bytes", "4096", cwd=tmp_path)
    size = (tmp_path / "plan.json").stat().st_size
    assert (shown.returncode, shown.stderr) == (
        2,
        f"plan.json: error: file is {size:,} bytes, over the 4,096-byte limit; to scan it, "
        "raise the limit with --max-file-bytes\n",
    )


def test_a_module_source_outside_the_plans_directory_is_not_read(tmp_path: Path) -> None:
    """The plan is input like any other: a module source that leads out of the scanned
    directories reads nothing there; the findings point at the plan."""
    outside = tmp_path / "outside"
    shutil.copytree(ROOT / F / "modules" / "team", outside)
    plan = _plan()
    plan["configuration"]["root_module"]["module_calls"]["team"]["source"] = "../outside"
    (tmp_path / "repo").mkdir()
    _write(tmp_path / "repo", plan)
    shown = iacguard("check", "plan.json", "--format", "json", cwd=tmp_path / "repo")
    found = json.loads(shown.stdout)
    assert found["errors"] == []
    assert {(f["file"], f["line"]) for f in found["findings"] if "team" in f["resource"]} == {
        ("plan.json", 182),
        ("plan.json", 184),
        ("plan.json", 218),
        ("plan.json", 220),
    }


def test_modules_nested_too_deeply_are_an_error(tmp_path: Path) -> None:
    module: dict[str, Any] = {"resources": []}
    address = ""
    chain = [module]
    for depth in range(20):
        address = f"{address}.module.m{depth}".lstrip(".")
        child: dict[str, Any] = {"address": address, "resources": []}
        chain[-1]["child_modules"] = [child]
        chain.append(child)
    plan = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": module},
    }
    path = _write(tmp_path, plan)
    lines = path.read_text().splitlines()
    sixteenth = next(i for i, t in enumerate(lines, 1) if t.endswith('.module.m15",')) - 1
    deep = ".".join(["child_modules[0]"] * 16)
    assert _errors(tmp_path, plan) == [
        (
            sixteenth,
            f"planned_values.root_module.{deep}.child_modules: modules nested too deeply; not read",
        )
    ]


BOB = 'aws_iam_user.bob  User "bob" belongs to no IAM group; grant permissions through groups'


def test_a_plan_is_read_again_when_a_tf_file_beside_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan's parse is not cached by its text (it reads the .tf files); a rerun with
    nothing changed is replayed, and one after an edit to main.tf shows the new line."""
    from iacguard import engine

    scans: list[object] = []
    real = engine.scan
    monkeypatch.setattr(engine, "scan", lambda *a, **k: scans.append(a) or real(*a, **k))
    shutil.copytree(ROOT / F, tmp_path / "plan")
    seen = []
    for edit in (False, False, True):
        if edit:
            tf = tmp_path / "plan" / "main.tf"
            tf.write_text("# moved\n# down\n" + tf.read_text(encoding="utf-8"), encoding="utf-8")
        shown = iacguard("check", "plan/plan.json", "--select", "IG003", cwd=tmp_path)
        seen.append((len(scans), shown.stdout.splitlines()[0]))
    assert seen == [
        (1, f"plan/main.tf:28:1  LOW  IG003  {BOB}"),
        (1, f"plan/main.tf:28:1  LOW  IG003  {BOB}"),  # replayed
        (2, f"plan/main.tf:30:1  LOW  IG003  {BOB}"),
    ]


def test_a_plan_under_any_name_is_read_when_named(tmp_path: Path) -> None:
    """``terraform show -json plan.bin > tfplan``: no format reads it by its name, so
    its content says it is a plan."""
    shutil.copy(ROOT / F / "plan.json", tmp_path / "tfplan")
    shown = iacguard("check", "tfplan", "--select", "IG003", cwd=tmp_path)
    assert (shown.returncode, shown.stderr) == (1, "")
    assert shown.stdout.splitlines()[0] == f"tfplan:92:22  LOW  IG003  {BOB}"


def test_json_with_the_plans_keys_that_is_not_a_plan_is_one_error(tmp_path: Path) -> None:
    plan = {"format_version": "1.2", "terraform_version": "1.9.8", "planned_values": {}}
    _write(tmp_path, [plan], "plans.json")
    _write(tmp_path, {**plan, "planned_values": 3}, "wrong.json")
    state = {"format_version": "1.0", "terraform_version": "1.9.8", "values": {}}
    _write(tmp_path, state, "state.json")  # terraform show -json without a plan file
    shutil.copy(ROOT / F / "plan.json", tmp_path / "plan.json")
    shown = iacguard("check", ".", "--select", "IG003", cwd=tmp_path)
    assert (shown.returncode, shown.stderr) == (
        2,
        "plans.json:1: error: a Terraform plan must be a JSON object\n"
        "state.json:1: error: not a Terraform plan: no planned_values (a state is not read)\n"
        "wrong.json:4: error: planned_values: expected an object, not a number\n",
    )
    assert shown.stdout.splitlines()[0] == f"plan.json:92:22  LOW  IG003  {BOB}"


def test_a_template_that_names_the_plans_keys_in_strings_is_cloudformation(
    tmp_path: Path,
) -> None:
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": 'Reads "format_version": and "terraform_version": from plans',
        "Metadata": {"Keys": ["format_version", "terraform_version"]},
        "Resources": {"Reader": {"Type": "AWS::IAM::User"}},
    }
    _write(tmp_path, template, "stack.json")
    shown = iacguard("check", ".", cwd=tmp_path)
    assert (shown.returncode, shown.stderr) == (1, "")
    assert shown.stdout.splitlines()[0] == (
        'stack.json:11:5  LOW  IG003  Reader  User "Reader" belongs to no IAM group; '
        "grant permissions through groups"
    )


def test_a_plan_over_the_size_limit_found_in_a_directory(tmp_path: Path) -> None:
    """An error when it holds an IAM resource, as it would lose findings; else skipped."""
    shutil.copy(ROOT / F / "plan.json", tmp_path / "plan.json")
    empty = {"format_version": "1.2", "terraform_version": "1.9.8", "planned_values": {}}
    _write(tmp_path, {**empty, "padding": "x" * 5000}, "network.json")
    shown = iacguard("check", ".", "--max-file-bytes", "4096", "--format", "json", cwd=tmp_path)
    size = (tmp_path / "plan.json").stat().st_size
    found = json.loads(shown.stdout)
    assert (shown.returncode, found["summary"]["files_skipped"], found["errors"]) == (
        2,
        1,  # network.json
        [
            {
                "file": "plan.json",
                "kind": "limit",
                "line": None,
                "column": None,
                "message": f"file is {size:,} bytes, over the 4,096-byte limit; to scan it, "
                "raise the limit with --max-file-bytes",
            }
        ],
    )


GENERATED = "fixtures/terraform/plan_from_terraform"  # a plan Terraform 1.1.5 wrote


def test_a_plan_terraform_wrote_and_its_tf_file_give_the_same_findings() -> None:
    from_tf = run(f"{GENERATED}/main.tf")
    from_plan = run(f"{GENERATED}/tfplan.json")
    assert (from_tf.errors, from_plan.errors, from_plan.unresolved) == ([], [], [])
    assert described(from_plan) == described(from_tf)
    tf = f"{GENERATED}/main.tf"
    seen = [d.split(": ")[0].replace(f"{tf}:", "") for d in described(from_plan)]
    assert list(dict.fromkeys(seen)) == [  # each at the action, the statement or the resource
        "IG002 16:19 high aws_iam_policy.policy_pass",
        "IG014 24:1 critical aws_iam_role.example",
        "IG014 24:1 high aws_iam_role.example",
        "IG017 39:1 low aws_iam_role_policy.fail_1",
        "IG002 49:7 high data.aws_iam_policy_document.fail_1",
        "IG008 49:7 high data.aws_iam_policy_document.fail_1",
        "IG009 49:7 high data.aws_iam_policy_document.fail_1",
        "IG014 55:1 critical aws_iam_group.fail_2",
        "IG014 55:1 high aws_iam_group.fail_2",
        "IG002 70:9 high aws_iam_group_policy.fail_2",
        "IG008 70:9 high aws_iam_group_policy.fail_2",
        "IG009 70:9 high aws_iam_group_policy.fail_2",
        "IG003 80:1 low aws_iam_user.fail_3",
        "IG014 80:1 critical aws_iam_user.fail_3",
        "IG014 80:1 high aws_iam_user.fail_3",
        "IG001 84:1 medium aws_iam_user_policy.fail_3",
        "IG017 84:1 low aws_iam_user_policy.fail_3",
    ]
    assert len(seen) == 37  # IG014: one finding per escalation path


def test_a_directory_with_a_plan_and_its_tf_files_reports_each_finding_once() -> None:
    """Both views are checked; where they agree, a finding is reported once, and IG017
    does not take the two views of one policy for two copies of it."""
    both = run(GENERATED)
    assert described(both) == described(run(f"{GENERATED}/tfplan.json"))
    assert sorted(both.scanned) == [f"{GENERATED}/main.tf", f"{GENERATED}/tfplan.json"]
    shown = iacguard("check", GENERATED).stdout
    assert "(in root module" not in shown
    assert shown.endswith(
        "37 findings (14 critical, 19 high, 1 medium, 3 low) in 2 files scanned.\n"
    )


def test_a_broken_plan_leaves_its_tf_files_checked(tmp_path: Path) -> None:
    shutil.copy(ROOT / GENERATED / "main.tf", tmp_path / "main.tf")
    _write(
        tmp_path, '{"format_version": "1.0", "terraform_version": "1.1.5", "planned', "tfplan.json"
    )
    result = run(tmp_path)
    assert [(Path(e.file or "").name, e.kind) for e in result.errors] == [("tfplan.json", "parse")]
    assert described(result) == [
        d.replace(f"{GENERATED}/main.tf", f"{tmp_path.as_posix()}/main.tf")
        for d in described(run(f"{GENERATED}/main.tf"))
    ]


def test_a_plan_beside_the_tf_files_never_hides_what_they_say(tmp_path: Path) -> None:
    """Both files come from the pull request: a plan that shows a harmless policy does not
    stand in for the .tf file that grants everything."""
    shutil.copy(ROOT / GENERATED / "tfplan.json", tmp_path / "tfplan.json")
    tf = (ROOT / GENERATED / "main.tf").read_text()
    (tmp_path / "main.tf").write_text(tf.replace('"Action": "s3:*"', '"Action": "*"'))
    result = run(tmp_path)
    main = f"{tmp_path.as_posix()}/main.tf"
    found = [d for d in described(result) if "aws_iam_policy.policy_pass" in d]
    assert found == [  # the .tf file's view, and the plan's (at the .tf line it maps to)
        f"IG002 {main}:16:19 critical aws_iam_policy.policy_pass: "
        "Statement #1 allows * on every resource (full administrator access)",
        f"IG002 {main}:16:19 high aws_iam_policy.policy_pass: "
        "Statement #1 allows s3:* (every s3 action)",
        f"IG008 {main}:16:19 high aws_iam_policy.policy_pass: Statement #1 allows "
        'iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService '
        "condition)",
        f"IG009 {main}:16:19 high aws_iam_policy.policy_pass: Statement #1 allows "
        f"{ESCALATION_TOOLS}",
    ]

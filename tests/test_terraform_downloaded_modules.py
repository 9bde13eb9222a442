"""After ``terraform init``, remote modules are read from where modules.json says init put
them (never downloaded), with their caller's inputs, like local modules.

The fixture's ``.terraform/modules`` tree and ``modules.json`` have the shape
``terraform init`` writes (registry sources recorded with their host, ``//subdir`` in
``Dir``, a nested call keyed ``pipeline.bot``); the module files are trimmed copies of
terraform-aws-modules/iam 5.30.0's ``iam-user`` and ``iam-policy``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import described, iacguard, run
from report_helpers import validate_sarif

F = "fixtures/terraform/downloaded_modules"
MODULES = f"{F}/.terraform/modules"
USER = "/modules/iam-user/main.tf"


def test_remote_modules_are_read_from_where_terraform_init_installed_them() -> None:
    result = run(F)
    assert (result.errors, result.unresolved) == ([], [])
    escalations = [d for d in described(result) if d.startswith("IG014 ")]
    assert {d.split(": ")[0] for d in escalations} == {
        f"IG014 {MODULES}/pipeline.bot{USER}:1:1 critical module.pipeline.module.bot.aws_iam_user.this",
        f"IG014 {MODULES}/pipeline.bot{USER}:1:1 high module.pipeline.module.bot.aws_iam_user.this",
    }  # the deployer module's iam:* on the bot user: one finding per escalation path
    assert [d for d in described(result) if not d.startswith("IG014 ")] == [
        f'IG003 {MODULES}/ci_users{USER}:1:1 low module.ci_users["build"].aws_iam_user.this: '
        'User "build" belongs to no IAM group; grant permissions through groups',
        f'IG003 {MODULES}/ci_users{USER}:1:1 low module.ci_users["release"].aws_iam_user.this: '
        'User "release" belongs to no IAM group; grant permissions through groups',
        f"IG003 {MODULES}/pipeline.bot{USER}:1:1 low module.pipeline.module.bot.aws_iam_user.this: "
        'User "pipeline-bot" belongs to no IAM group; grant permissions through groups',
        f"IG004 {MODULES}/pipeline.bot{USER}:12:1 medium "
        "module.pipeline.module.bot.aws_iam_user_policy_attachment.this: "
        "Managed policy arn:aws:iam::aws:policy/AdministratorAccess is attached directly to "
        "user module.pipeline.module.bot.aws_iam_user.this; attach it to a group",
        # The ARN is written in the git module's call of the registry module: found there.
        f"IG015 {MODULES}/pipeline/iam/main.tf:11:18 critical "
        "module.pipeline.module.bot.aws_iam_user_policy_attachment.this: "
        "AWS managed policy AdministratorAccess is attached to user "
        "module.pipeline.module.bot.aws_iam_user.this: it grants every action on every "
        "resource; grant only the actions it needs",
        f"IG001 {MODULES}/pipeline/iam/modules/deployer/main.tf:5:1 medium "
        "module.pipeline.module.deployer.aws_iam_user_policy.deploy: "
        'Inline policy "deploy" is embedded in user module.pipeline.module.bot.aws_iam_user.this; '
        "attach a managed policy to a group instead",
        f"IG002 {MODULES}/pipeline/iam/modules/deployer/main.tf:12:18 high "
        "module.pipeline.module.deployer.aws_iam_user_policy.deploy: "
        "Statement #1 allows iam:* (every iam action)",
        f"IG008 {MODULES}/pipeline/iam/modules/deployer/main.tf:12:18 high "
        "module.pipeline.module.deployer.aws_iam_user_policy.deploy: "
        'Statement #1 allows iam:PassRole on every role (Resource "*") to any service '
        "(no iam:PassedToService condition)",
        f"IG009 {MODULES}/pipeline/iam/modules/deployer/main.tf:12:18 high "
        "module.pipeline.module.deployer.aws_iam_user_policy.deploy: "
        "Statement #1 allows iam:CreateAccessKey, iam:UpdateAccessKey, iam:CreateLoginProfile "
        'and 3 more on any resource (Resource "*"): each returns credentials or secrets',
        f"IG002 {F}/main.tf:12:47 critical module.deploy_policy.aws_iam_policy.policy: "
        "Statement #1 allows * on every resource (full administrator access) "
        f"(only if called from module.deploy_policy ({F}/main.tf:10))",
        f"IG008 {F}/main.tf:12:47 high module.deploy_policy.aws_iam_policy.policy: "
        'Statement #1 allows iam:PassRole on every role (Resource "*") to any service '
        "(no iam:PassedToService condition) "
        f"(only if called from module.deploy_policy ({F}/main.tf:10))",
        f"IG009 {F}/main.tf:12:47 high module.deploy_policy.aws_iam_policy.policy: "
        "Statement #1 allows sts:AssumeRole, sts:GetFederationToken, iam:CreateAccessKey and "
        '20 more on any resource (Resource "*"): each returns credentials or secrets '
        f"(only if called from module.deploy_policy ({F}/main.tf:10))",
    ]


def test_a_finding_in_a_downloaded_module_relates_to_the_module_blocks_that_call_it() -> None:
    result = run(F)
    related = {
        f.resource: [(r.location.file, r.location.line, r.message) for r in f.related]
        for f in result.findings
    }
    assert related['module.ci_users["build"].aws_iam_user.this'] == [
        (f"{F}/main.tf", 17, 'module.ci_users["build"] is called here')
    ]
    assert related["module.pipeline.module.deployer.aws_iam_user_policy.deploy"] == [
        (f"{MODULES}/pipeline/iam/main.tf", 14, "module.pipeline.module.deployer is called here"),
        (f"{F}/main.tf", 26, "module.pipeline is called here"),
    ]
    # Written by the caller: found in the caller, the module's resource related.
    assert related["module.deploy_policy.aws_iam_policy.policy"] == [
        (
            f"{MODULES}/deploy_policy/modules/iam-policy/main.tf",
            1,
            "module.deploy_policy.aws_iam_policy.policy is declared here",
        )
    ]


def test_json_output_carries_the_related_module_call() -> None:
    done = iacguard("check", F, "--format", "json", "--no-cache")
    findings = json.loads(done.stdout)["findings"]
    bot = next(f for f in findings if f["resource"].endswith("policy_attachment.this"))
    assert (bot["file"], bot["line"]) == (f"{MODULES}/pipeline.bot{USER}", 12)
    assert bot["related"] == [
        {
            "file": f"{MODULES}/pipeline/iam/main.tf",
            "line": 6,
            "column": 1,
            "message": "module.pipeline.module.bot is called here",
        },
        {
            "file": f"{F}/main.tf",
            "line": 26,
            "column": 1,
            "message": "module.pipeline is called here",
        },
    ]


def _configuration(tmp_path: Path, manifest: object | None) -> Path:
    root = tmp_path / "live"
    module = root / ".terraform" / "modules" / "ci" / "modules" / "iam-user"
    module.mkdir(parents=True)
    (module / "main.tf").write_text('resource "aws_iam_user" "this" {\n  name = var.name\n}\n')
    (module / "variables.tf").write_text('variable "name" {\n  type = string\n}\n')
    (root / "main.tf").write_text(
        'module "ci" {\n'
        '  source = "terraform-aws-modules/iam/aws//modules/iam-user"\n'
        '  name   = "ci"\n'
        "}\n"
    )
    if manifest is not None:
        text = manifest if isinstance(manifest, str) else json.dumps(manifest)
        (root / ".terraform" / "modules" / "modules.json").write_text(text)
    return root


def _entry(source: str, directory: str) -> dict[str, object]:
    return {
        "Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "ci", "Source": source, "Dir": directory},
        ]
    }


REGISTRY = "registry.terraform.io/terraform-aws-modules/iam/aws//modules/iam-user"


def test_without_modules_json_the_text_output_says_to_run_terraform_init(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_configuration(tmp_path, None))
    done = iacguard("check", ".", cwd=Path.cwd())
    assert done.stdout.splitlines()[-1] == (
        "run `terraform init` to check 1 remote module; see --format json or --show-unresolved."
    )


@pytest.mark.parametrize(
    ("manifest", "why"),
    [
        (
            {"Modules": [{"Key": "", "Source": "", "Dir": "."}]},  # called after init ran
            "remote module sources are not fetched; its resources are not checked",
        ),
        (
            _entry(
                REGISTRY.replace("iam-user", "iam-role"), ".terraform/modules/ci/modules/iam-user"
            ),
            "its source changed since `terraform init`; run it again to check it",
        ),
        (
            _entry(REGISTRY, ".."),  # the manifest is input too: nothing outside is read
            ".terraform/modules/modules.json records it outside .terraform/modules; not read",
        ),
        (
            _entry(REGISTRY, "/etc"),
            ".terraform/modules/modules.json records it outside .terraform/modules; not read",
        ),
        (
            _entry(REGISTRY, ".terraform/modules/ci\u0000"),  # costs this module only
            ".terraform/modules/modules.json records it outside .terraform/modules; not read",
        ),
    ],
)
def test_a_module_modules_json_does_not_install_is_listed_as_unresolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, manifest: object, why: str
) -> None:
    monkeypatch.chdir(_configuration(tmp_path, manifest))
    result = run(".")
    assert (result.errors, result.findings) == ([], [])
    assert [(u.file, u.line, u.resource, u.why) for u in result.unresolved] == [
        ("main.tf", 2, "module.ci", why)
    ]


def test_an_installed_module_is_checked_with_its_callers_inputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(
        _configuration(tmp_path, _entry(REGISTRY, ".terraform/modules/ci/modules/iam-user"))
    )
    result = run(".")
    assert (result.errors, result.unresolved) == ([], [])
    assert described(result) == [
        "IG003 .terraform/modules/ci/modules/iam-user/main.tf:1:1 low module.ci.aws_iam_user.this: "
        'User "ci" belongs to no IAM group; grant permissions through groups'
    ]


def test_a_broken_modules_json_is_a_one_line_error_and_the_rest_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_configuration(tmp_path, "{not json"))
    result = run(".")
    assert [(e.file, e.message.split(":")[0]) for e in result.errors] == [
        (".terraform/modules/modules.json", "not valid JSON")
    ]
    assert [u.resource for u in result.unresolved] == ["module.ci"]


def test_github_annotates_the_module_call_for_a_finding_in_a_downloaded_module() -> None:
    # .terraform is never in a pull request, and GitHub shows no annotation on a file
    # outside it: the annotation goes on the root module's call, saying where it is.
    done = iacguard("check", F, "--format", "github", "--no-cache", "--select", "IG003")
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::warning")]
    assert annotations[0] == (
        f"::warning file={F}/main.tf,line=17,endLine=23,title=IG003 user-not-in-group (low)::"
        'User "build" belongs to no IAM group; grant permissions through groups '
        f'(in {MODULES}/ci_users{USER}:1, module.ci_users["build"].aws_iam_user.this)'
    )
    assert annotations[2] == (
        f"::warning file={F}/main.tf,line=26,endLine=30,title=IG003 user-not-in-group (low)::"
        'User "pipeline-bot" belongs to no IAM group; grant permissions through groups '
        f"(in {MODULES}/pipeline.bot{USER}:1, module.pipeline.module.bot.aws_iam_user.this)"
    )


def test_sarif_shows_a_finding_in_a_downloaded_module_on_the_module_call() -> None:
    # Code scanning shows alerts, like annotations, only on files of the repository:
    # the result is on the root module's call; the module's file is its first related
    # location, so the statement itself is one click away.
    done = iacguard("check", F, "--format", "sarif", "--no-cache", "--select", "IG003")
    log = json.loads(done.stdout)
    validate_sarif(log)
    build = next(
        r
        for r in log["runs"][0]["results"]
        if r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        == 'module.ci_users["build"].aws_iam_user.this'
    )
    shown = build["locations"][0]["physicalLocation"]
    assert (shown["artifactLocation"]["uri"], shown["region"]["startLine"]) == (f"{F}/main.tf", 17)
    assert build["message"]["text"] == (
        'User "build" belongs to no IAM group; grant permissions through groups '
        f'(in {MODULES}/ci_users{USER}:1, module.ci_users\\["build"\\].aws_iam_user.this)'
    )
    assert [
        (
            r["physicalLocation"]["artifactLocation"]["uri"],
            r["physicalLocation"]["region"]["startLine"],
            r["message"]["text"],
        )
        for r in build["relatedLocations"]
    ] == [
        (
            f"{MODULES}/ci_users{USER}",
            1,
            'module.ci_users\\["build"\\].aws_iam_user.this is here',
        ),
        (f"{F}/main.tf", 17, 'module.ci_users\\["build"\\] is called here'),
    ]

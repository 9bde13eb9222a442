"""Policy text in every form, and resolution within a module: each construct has a
fixture, and each finding is asserted where a user would look for it."""

from helpers import CORE_ONLY, lines, messages, run

from iacguard.config import Config
from iacguard.findings import ScanResult

TF = "fixtures/terraform"


def unresolved(result: ScanResult) -> list[str]:
    return [f"{u.file}:{u.line} {u.resource} {u.expression}: {u.why}" for u in result.unresolved]


# -- policy text ---------------------------------------------------------------------


def test_heredoc_findings_point_at_lines_inside_the_body() -> None:
    result = run(f"{TF}/heredoc")
    file = f"{TF}/heredoc/main.tf"
    assert lines(result) == [
        f"IG002 {file}:10:42 high aws_iam_policy.plain",
        f"IG002 {file}:26:21 medium aws_iam_policy.indented",
    ]
    assert messages(result) == [
        f"IG002 {file}:10 Statement #1 allows logs:* (every logs action)",
        f'IG002 {file}:26 Statement "Queues" allows sqs:Send* (grants 1 Write action)',
    ]


def test_a_quoted_json_string_is_read_around_its_escapes() -> None:
    result = run(f"{TF}/json_string")
    assert lines(result) == [
        f"IG002 {TF}/json_string/main.tf:4:66 high aws_iam_policy.quoted",
        f"IG009 {TF}/json_string/main.tf:4:66 high aws_iam_policy.quoted",
    ]


def test_file_policies_are_reported_in_the_policy_file() -> None:
    result = run(f"{TF}/policy_file")
    assert messages(result) == [
        f'IG002 {TF}/policy_file/policies/admin.json:7 Statement "Everything" allows * on every resource (full administrator access)',
        f'IG008 {TF}/policy_file/policies/admin.json:7 Statement "Everything" allows iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition)',
        f'IG009 {TF}/policy_file/policies/admin.json:7 Statement "Everything" allows sts:AssumeRole, sts:GetFederationToken, iam:CreateAccessKey and 20 more on any resource (Resource "*"): each returns credentials or secrets',
    ]
    assert lines(result) == [
        f"IG002 {TF}/policy_file/policies/admin.json:7:17 critical aws_iam_policy.admin",
        f"IG008 {TF}/policy_file/policies/admin.json:7:17 high aws_iam_policy.admin",
        f"IG009 {TF}/policy_file/policies/admin.json:7:17 high aws_iam_policy.admin",
    ]


def test_templatefile_is_rendered_with_its_variables() -> None:
    result = run(f"{TF}/templatefile")
    assert messages(result) == [
        f"IG002 {TF}/templatefile/worker.json.tftpl:5 Statement #1 allows dynamodb:* "
        "(every dynamodb action)"
    ]
    assert lines(result) == [
        f"IG002 {TF}/templatefile/worker.json.tftpl:5:17 high aws_iam_role_policy.worker"
    ]


def test_a_policy_document_used_twice_is_reported_once_at_the_document() -> None:
    result = run(f"{TF}/policy_document", config=CORE_ONLY)
    file = f"{TF}/policy_document/main.tf"
    assert lines(result) == [f"IG002 {file}:5:18 high data.aws_iam_policy_document.deploy"]
    assert messages(result) == [
        f'IG002 {file}:5 Statement "Functions" allows lambda:* (every lambda action)'
    ]


def test_merged_documents_report_each_statement_once_and_drop_overridden_ones() -> None:
    result = run(f"{TF}/policy_document_merge")
    file = f"{TF}/policy_document_merge/main.tf"
    # "Queues" (sqs:*) is overridden by the narrow document's "Queues": no finding.
    assert messages(result) == [
        f'IG002 {file}:6 Statement "Logs" allows logs:* (every logs action)',
        f'IG007 {file}:14 Statement "Queues" grants 1 Write action on any resource (Resource "*") through sqs:SendMessage',
        f'IG002 {file}:23 Statement "Tables" allows dynamodb:* (every dynamodb action)',
        f'IG002 {file}:36 Statement "Topics" allows sns:Publish* (grants 1 Write action)',
        f'IG007 {file}:36 Statement "Topics" grants 1 Write action on any resource (Resource "*") through sns:Publish*',
    ]
    assert lines(result) == [
        f"IG002 {file}:6:18 high data.aws_iam_policy_document.base",
        f"IG007 {file}:14:18 medium data.aws_iam_policy_document.narrow",
        f"IG002 {file}:23:65 high data.aws_iam_policy_document.service",
        f"IG002 {file}:36:18 medium data.aws_iam_policy_document.service",
        f"IG007 {file}:36:18 medium data.aws_iam_policy_document.service",
    ]


def test_dynamic_statement_blocks_are_expanded() -> None:
    result = run(f"{TF}/dynamic_statement")
    file = f"{TF}/dynamic_statement/main.tf"
    assert messages(result) == [
        f'IG007 {file}:4 Statement "logs" grants 2 Write actions on any resource (Resource "*") through logs:CreateLogStream, logs:PutLogEvents',
        f'IG002 {file}:5 Statement "queues" allows sqs:* (every sqs action)',
    ]
    assert lines(result) == [
        f"IG007 {file}:4:15 medium data.aws_iam_policy_document.worker",
        f"IG002 {file}:5:15 high data.aws_iam_policy_document.worker",
    ]


# -- resolution ------------------------------------------------------------------------


def test_variables_take_tfvars_over_defaults_and_auto_tfvars_add_to_them() -> None:
    result = run(f"{TF}/variables")
    file = f"{TF}/variables/main.tf"
    assert messages(result) == [
        f'IG005 {file}:19 Role "runner" allows sessions of 2 hours (7200 s); the limit is 1 hour (3600 s)',
        f"IG006 {file}:35 Statement #1 Action sqs:GetObject matches no IAM action: it grants nothing",
        f"IG002 {file}:35 Statement #1 allows ec2:Describe* (grants 194 List actions)",
    ]
    assert lines(result) == [
        f"IG005 {file}:19:3 medium aws_iam_role.runner",
        f"IG006 {file}:35:26 medium aws_iam_role_policy.runner",
        f"IG002 {file}:35:55 low aws_iam_role_policy.runner",
    ]


def test_a_var_file_given_on_the_command_line_wins() -> None:
    config = Config(var_files=(f"{TF}/variables/long_sessions.tfvars",))
    result = run(f"{TF}/variables", config=config)
    assert messages(result)[0] == (
        f'IG005 {TF}/variables/main.tf:19 Role "runner" allows sessions of 12 hours (43200 s); '
        "the limit is 1 hour (3600 s)"
    )


def test_a_missing_var_file_is_an_error() -> None:
    result = run(f"{TF}/variables", config=Config(var_files=("no/such.tfvars",)))
    assert [(e.file, e.message) for e in result.errors] == [
        ("no/such.tfvars", "no such variables file")
    ]


def test_a_wildcard_kept_in_a_local_is_reported_where_it_is_written() -> None:
    result = run(f"{TF}/locals")
    assert messages(result) == [
        f"IG002 {TF}/locals/main.tf:3 Statement #1 allows iam:* (every iam action)",
        f'IG008 {TF}/locals/main.tf:3 Statement #1 allows iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition)',
        f'IG009 {TF}/locals/main.tf:3 Statement #1 allows iam:CreateAccessKey, iam:UpdateAccessKey, iam:CreateLoginProfile and 3 more on any resource (Resource "*"): each returns credentials or secrets',
    ]
    assert lines(result) == [
        f"IG002 {TF}/locals/main.tf:3:20 high aws_iam_policy.admin",
        f"IG008 {TF}/locals/main.tf:3:20 high aws_iam_policy.admin",
        f"IG009 {TF}/locals/main.tf:3:20 high aws_iam_policy.admin",
    ]


def test_interpolation_and_format_of_resolved_parts() -> None:
    result = run(f"{TF}/interpolation")
    assert messages(result) == [
        f"IG002 {TF}/interpolation/main.tf:16 Statement #1 allows secretsmanager:* (every secretsmanager action), dynamodb:Get* (grants 5 Read actions)",
    ]
    assert lines(result) == [
        f"IG002 {TF}/interpolation/main.tf:16:9 high aws_iam_policy.built",
    ]


def test_conditionals_take_the_known_branch_or_report_the_condition() -> None:
    result = run(f"{TF}/conditionals")
    file = f"{TF}/conditionals/main.tf"
    assert messages(result) == [
        f"IG002 {file}:27 Statement #1 allows * on every resource (full administrator access) if var.break_glass is true",
        f'IG008 {file}:27 Statement #1 allows iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition) (only if var.break_glass is true)',
        f'IG009 {file}:27 Statement #1 allows sts:AssumeRole, sts:GetFederationToken, iam:CreateAccessKey and 20 more on any resource (Resource "*"): each returns credentials or secrets (only if var.break_glass is true)',
        f'IG005 {file}:35 Role "operator" allows sessions of 12 hours (43200 s) if var.break_glass is true; the limit is 1 hour (3600 s)',
        f"IG012 {file}:39 Principals of account 111122223333 can assume role "
        "aws_iam_role.operator (statement #1) without an external id or MFA: add an "
        "sts:ExternalId condition, or list the account in trusted_accounts if it is yours",
    ]
    assert lines(result) == [
        f"IG002 {file}:27:36 critical aws_iam_policy.unknown",
        f"IG008 {file}:27:36 high aws_iam_policy.unknown",
        f"IG009 {file}:27:36 high aws_iam_policy.unknown",
        f"IG005 {file}:35:3 medium aws_iam_role.operator",
        f"IG012 {file}:39:27 medium aws_iam_role.operator",
    ]


def test_count_zero_resources_and_modules_do_not_exist() -> None:
    result = run(f"{TF}/count_zero")
    assert lines(result) == []
    assert unresolved(result) == []


def test_an_empty_for_each_creates_nothing() -> None:
    result = run(f"{TF}/for_each_empty")
    assert lines(result) == []
    assert unresolved(result) == []


def test_an_unresolvable_count_means_the_resource_exists() -> None:
    result = run(f"{TF}/count_unresolved")
    file = f"{TF}/count_unresolved/main.tf"
    assert lines(result) == [
        f"IG002 {file}:11:47 high aws_iam_policy.maybe",
        f"IG009 {file}:11:47 high aws_iam_policy.maybe",
    ]
    assert unresolved(result) == [
        f"{file}:8 aws_iam_policy.maybe var.enabled ? 1 : 0: count cannot be resolved: count is "
        "1 if var.enabled is true, 0 if var.enabled is false; assumed to exist"
    ]


def test_for_each_instances_are_checked_one_by_one() -> None:
    result = run(f"{TF}/for_each_instances")
    file = f"{TF}/for_each_instances/main.tf"
    assert messages(result) == [
        f'IG002 {file}:5 Statement #1 allows s3:* (every s3 action) (only if each.key is "admins")'
    ]
    assert lines(result) == [f"IG002 {file}:5:15 high aws_iam_policy.team"]


def test_what_cannot_be_resolved_is_listed_not_reported() -> None:
    result = run(f"{TF}/unresolved")
    file = f"{TF}/unresolved/main.tf"
    assert lines(result) == [f"IG002 {file}:20:36 high aws_iam_policy.partly"]
    assert unresolved(result) == [
        f"{file}:19 aws_iam_policy.partly var.actions: "
        "variable actions has no default and no .tfvars sets it",
        f"{file}:12 aws_iam_policy.given var.policy_json: the policy document cannot be resolved",
    ]


# -- file formats ----------------------------------------------------------------------


def test_tf_json_is_read_like_hcl() -> None:
    result = run(f"{TF}/tf_json")
    file = f"{TF}/tf_json/main.tf.json"
    assert messages(result) == [
        f"IG002 {file}:9 Statement #1 allows ec2:* (every ec2 action)",
        f'IG009 {file}:9 Statement #1 allows ec2:GetPasswordData on any resource (Resource "*"): each returns credentials or secrets',
        f'IG005 {file}:15 Role "worker" allows sessions of 4 hours (14400 s); the limit is 1 hour (3600 s)',
    ]
    assert lines(result) == [
        f"IG002 {file}:9:77 high aws_iam_policy.ops",
        f"IG009 {file}:9:77 high aws_iam_policy.ops",
        f"IG005 {file}:15:33 medium aws_iam_role.worker",
    ]


def test_a_byte_order_mark_does_not_shift_positions() -> None:
    result = run(f"{TF}/bom")
    assert lines(result) == [f"IG005 {TF}/bom/main.tf:4:3 medium aws_iam_role.bom"]

"""The five core checks on Terraform: a positive and a negative fixture each."""

from helpers import CORE_ONLY, lines, messages, run

TF = "fixtures/terraform"


def test_inline_policies_of_users_are_reported_at_the_policy_block() -> None:
    result = run(f"{TF}/user-inline-policy/positive_embedded_in_users", config=CORE_ONLY)
    file = f"{TF}/user-inline-policy/positive_embedded_in_users/main.tf"
    assert lines(result) == [
        f"IG001 {file}:20:1 medium aws_iam_user_policy.alice_reports",
        f"IG001 {file}:32:1 medium aws_iam_user_policy.bob_reports",
    ]
    assert messages(result) == [
        f'IG001 {file}:20 Inline policy "read-reports" is embedded in user aws_iam_user.alice; '
        "attach a managed policy to a group instead",
        f'IG001 {file}:32 Inline policy "read-reports" is embedded in user aws_iam_user.bob; '
        "attach a managed policy to a group instead",
    ]


def test_inline_policies_of_groups_and_roles_pass() -> None:
    assert (
        lines(run(f"{TF}/user-inline-policy/negative_on_groups_and_roles", config=CORE_ONLY)) == []
    )


def test_every_kind_of_wildcard_is_reported_at_its_action_with_its_severity() -> None:
    result = run(f"{TF}/wildcard-action/positive_every_wildcard", config=CORE_ONLY)
    file = f"{TF}/wildcard-action/positive_every_wildcard/main.tf"
    assert lines(result) == [
        f"IG002 {file}:9:18 critical aws_iam_policy.admin",
        f"IG002 {file}:23:46 high aws_iam_policy.ops",
        f"IG002 {file}:29:20 low aws_iam_policy.ops",
        f"IG002 {file}:35:20 high aws_iam_policy.ops",
        f"IG002 {file}:58:21 high aws_iam_role.everything",
    ]
    assert messages(result) == [
        f'IG002 {file}:9 Statement "FullAdmin" allows * on every resource (full administrator access)',
        f'IG002 {file}:23 Statement "EveryEc2Action" allows ec2:* (every ec2 action)',
        f'IG002 {file}:29 Statement "ReadBuckets" allows s3:Get* (grants 63 Read actions)',
        f'IG002 {file}:35 Statement "AnyActionOnOneBucket" allows * (every action)',
        f'IG002 {file}:58 Statement "AllButIam" allows every action except iam:* (NotAction)',
    ]


def test_named_actions_and_deny_wildcards_pass() -> None:
    result = run(f"{TF}/wildcard-action/negative_named_actions_and_deny")
    assert [line for line in lines(result) if line.startswith("IG002 ")] == []


def test_users_without_a_group_are_reported_at_the_user() -> None:
    result = run(f"{TF}/user-not-in-group/positive_no_membership")
    file = f"{TF}/user-not-in-group/positive_no_membership/main.tf"
    assert messages(result) == [
        f'IG003 {file}:10 User "carol" belongs to no IAM group; grant permissions through groups',
        f'IG003 {file}:26 User "dave" belongs to no IAM group; grant permissions through groups',
    ]
    assert lines(result) == [
        f"IG003 {file}:10:1 low aws_iam_user.carol",
        f"IG003 {file}:26:1 low aws_iam_user.dave",
    ]


def test_membership_by_address_literal_name_and_local_counts() -> None:
    result = run(f"{TF}/user-not-in-group/negative_every_membership_form")
    assert lines(result) == []
    assert result.unresolved == []


def test_managed_policies_attached_to_users_are_reported_at_the_attachment() -> None:
    result = run(f"{TF}/user-attached-policy/positive_attached_to_users", config=CORE_ONLY)
    file = f"{TF}/user-attached-policy/positive_attached_to_users/main.tf"
    assert lines(result) == [
        f"IG004 {file}:20:1 medium aws_iam_user_policy_attachment.alice_read_only",
        f"IG004 {file}:41:5 medium aws_iam_policy_attachment.deploy",
    ]
    assert messages(result) == [
        f"IG004 {file}:20 Managed policy arn:aws:iam::aws:policy/ReadOnlyAccess is attached directly to user aws_iam_user.alice; attach it to a group",
        f"IG004 {file}:41 Managed policy aws_iam_policy.deploy is attached directly to user aws_iam_user.bob; attach it to a group",
    ]


def test_managed_policies_attached_to_groups_and_roles_pass() -> None:
    result = run(f"{TF}/user-attached-policy/negative_attached_to_groups_and_roles")
    assert [line for line in lines(result) if line.startswith("IG004 ")] == []


def test_long_sessions_are_reported_at_the_duration_attribute() -> None:
    result = run(f"{TF}/role-session-limit/positive_twelve_hour_sessions")
    file = f"{TF}/role-session-limit/positive_twelve_hour_sessions/main.tf"
    assert lines(result) == [
        f"IG005 {file}:4:3 medium aws_iam_role.deployer",
        f"IG005 {file}:17:3 medium aws_ssoadmin_permission_set.operators",
    ]
    assert messages(result) == [
        f'IG005 {file}:4 Role "deployer" allows sessions of 12 hours (43200 s); '
        "the limit is 1 hour (3600 s)",
        f'IG005 {file}:17 Permission set "operators" allows sessions of 12 hours (43200 s); '
        "the limit is 1 hour (3600 s)",
    ]


def test_an_hour_or_unset_passes() -> None:
    result = run(f"{TF}/role-session-limit/negative_one_hour_or_default")
    assert [line for line in lines(result) if line.startswith("IG005 ")] == []

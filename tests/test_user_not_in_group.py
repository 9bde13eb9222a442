from helpers import described, run

CFN = "fixtures/cloudformation"


def test_users_without_a_group_are_reported_at_the_user() -> None:
    path = f"{CFN}/user-not-in-group/positive_no_membership.yaml"
    assert described(run(path)) == [
        f'IG003 {path}:4:3 low Dave: User "dave" belongs to no IAM group; grant permissions through groups',
        f'IG003 {path}:8:3 low Erin: User "Erin" belongs to no IAM group; grant permissions through groups',
    ]


def test_membership_by_groups_by_ref_and_by_literal_name_counts() -> None:
    result = run(f"{CFN}/user-not-in-group/negative_every_membership_form.yaml")
    assert [line for line in described(result) if line.startswith("IG003 ")] == []


def test_membership_in_another_template_counts_by_iam_name(tmp_path) -> None:
    (tmp_path / "users.yaml").write_text(
        "Resources:\n  Dave:\n    Type: AWS::IAM::User\n    Properties:\n      UserName: dave\n"
    )
    (tmp_path / "groups.yaml").write_text(
        "Resources:\n"
        "  Add:\n    Type: AWS::IAM::UserToGroupAddition\n"
        "    Properties:\n      GroupName: ops\n      Users: [dave]\n"
    )
    assert described(run(tmp_path)) == []


def test_a_logical_id_in_another_template_is_a_different_user(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text("Resources:\n  Dave:\n    Type: AWS::IAM::User\n")
    (tmp_path / "b.yaml").write_text(
        "Resources:\n  Dave:\n    Type: AWS::IAM::User\n    Properties:\n      Groups: [ops]\n"
    )
    result = run(tmp_path)
    assert [
        (f.rule_id, f.location.file.rsplit("/", 1)[-1], f.location.line) for f in result.findings
    ] == [("IG003", "a.yaml", 2)]


def test_a_member_that_cannot_be_resolved_counts_and_is_recorded(tmp_path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Resources:\n"
        "  Dave:\n    Type: AWS::IAM::User\n"
        "  Add:\n    Type: AWS::IAM::UserToGroupAddition\n"
        "    Properties:\n      GroupName: ops\n      Users: [!ImportValue shared-user]\n"
    )
    result = run(tmp_path)
    assert described(result) == []
    assert [(u.line, u.resource, u.expression) for u in result.unresolved] == [
        (8, "Add", "!ImportValue shared-user")
    ]


def test_an_unresolved_member_covers_only_the_users_of_its_own_template(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text(
        "Resources:\n"
        "  Dave:\n    Type: AWS::IAM::User\n"
        "  Add:\n    Type: AWS::IAM::UserToGroupAddition\n"
        "    Properties:\n      GroupName: ops\n      Users: [!ImportValue shared-user]\n"
    )
    (tmp_path / "b.yaml").write_text(
        "Resources:\n  Erin:\n    Type: AWS::IAM::User\n    Properties:\n      UserName: erin\n"
    )
    assert described(run(tmp_path)) == [
        f'IG003 {tmp_path}/b.yaml:2:3 low Erin: User "erin" belongs to no IAM group; '
        "grant permissions through groups"
    ]


def test_an_unresolved_member_covers_only_the_users_of_its_own_root_module(tmp_path) -> None:
    (tmp_path / "team" / "users").mkdir(parents=True)
    (tmp_path / "team" / "main.tf").write_text(
        'variable "member" {}\n'
        'module "users" {\n  source = "./users"\n}\n'
        'resource "aws_iam_group_membership" "ops" {\n'
        '  name  = "ops"\n  group = "ops"\n  users = [var.member]\n}\n'
    )
    (tmp_path / "team" / "users" / "main.tf").write_text(
        'resource "aws_iam_user" "dave" {\n  name = "dave"\n}\n'
    )
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "main.tf").write_text(
        'resource "aws_iam_user" "erin" {\n  name = "erin"\n}\n'
    )
    result = run(tmp_path)
    assert described(result) == [
        f"IG003 {tmp_path}/other/main.tf:1:1 low aws_iam_user.erin: "
        'User "erin" belongs to no IAM group; grant permissions through groups'
    ]
    assert [(u.file.rsplit("/", 2)[-2:], u.line, u.expression) for u in result.unresolved] == [
        (["team", "main.tf"], 8, "var.member")
    ]

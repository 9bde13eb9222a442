from helpers import described, run

CFN = "fixtures/cloudformation"


def test_policies_attached_to_users_are_reported_at_the_attachment() -> None:
    path = f"{CFN}/user-attached-policy/positive_attached_to_users.yaml"
    assert described(run(path)) == [
        f"IG004 {path}:9:11 medium Ivan: Managed policy arn:aws:iam::aws:policy/ReadOnlyAccess "
        "is attached directly to user Ivan; attach it to a group",
        f"IG004 {path}:16:11 medium TicketReader: Managed policy TicketReader "
        "is attached directly to user Ivan; attach it to a group",
    ]


def test_policies_attached_to_groups_and_roles_pass() -> None:
    result = run(f"{CFN}/user-attached-policy/negative_attached_to_groups_and_roles.yaml")
    assert [line for line in described(result) if line.startswith("IG004 ")] == []

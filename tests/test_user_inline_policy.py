from helpers import CORE_ONLY, described, run

CFN = "fixtures/cloudformation"


def test_inline_policies_in_users_are_reported_at_the_policy() -> None:
    path = f"{CFN}/user-inline-policy/positive_embedded_in_users.yaml"
    assert described(run(path)) == [
        f'IG001 {path}:10:11 medium Alice: Inline policy "read-reports" is embedded in user Alice; attach a managed policy to a group instead',
        f'IG001 {path}:18:3 medium BobPolicy: Inline policy "bob-deploy" is embedded in user bob; attach a managed policy to a group instead',
        f'IG007 {path}:26:21 medium BobPolicy: Statement #1 grants 1 Write action on any resource (Resource "*") through cloudformation:CreateStack',
        f'IG001 {path}:28:3 medium CarolPolicy: Inline policy "carol-logs" is embedded in user Alice; attach a managed policy to a group instead',
    ]


def test_inline_policies_in_groups_and_roles_pass() -> None:
    assert (
        described(
            run(f"{CFN}/user-inline-policy/negative_on_groups_and_roles.yaml", config=CORE_ONLY)
        )
        == []
    )

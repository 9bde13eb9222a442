from helpers import CORE_ONLY, lines, messages, run

CFN = "fixtures/cloudformation"


def test_every_kind_of_wildcard_is_reported_at_its_action_with_its_severity() -> None:
    result = run(f"{CFN}/wildcard-action/positive_every_wildcard.yaml", config=CORE_ONLY)
    assert lines(result) == [
        f"IG002 {CFN}/wildcard-action/positive_every_wildcard.yaml:12:21 critical AdminPolicy",
        f"IG002 {CFN}/wildcard-action/positive_every_wildcard.yaml:24:17 high OpsPolicy",
        f"IG002 {CFN}/wildcard-action/positive_every_wildcard.yaml:28:21 low OpsPolicy",
        f"IG002 {CFN}/wildcard-action/positive_every_wildcard.yaml:32:21 high OpsPolicy",
        f"IG002 {CFN}/wildcard-action/positive_every_wildcard.yaml:48:28 high Everything",
    ]
    assert messages(result)[1].endswith(
        'Statement "EveryEc2Action" allows ec2:* (every ec2 action)'
    )
    assert messages(result)[4].endswith(
        'Statement "AllButIam" allows every action except iam:* (NotAction)'
    )


def test_named_actions_and_deny_wildcards_pass() -> None:
    result = run(f"{CFN}/wildcard-action/negative_named_actions_and_deny.yaml")
    assert [line for line in lines(result) if line.startswith("IG002 ")] == []

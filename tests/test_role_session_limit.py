import pytest
from helpers import described, run

from iacguard.config import Config
from iacguard.model import Location, Scalar
from iacguard.parsers.session import session_seconds

CFN = "fixtures/cloudformation"


def test_sessions_over_the_limit_are_reported_at_the_duration() -> None:
    path = f"{CFN}/role-session-limit/positive_twelve_hour_sessions.yaml"
    assert described(run(path)) == [
        f'IG005 {path}:7:7 medium DeployRole: Role "DeployRole" allows sessions of 12 hours (43200 s); '
        "the limit is 1 hour (3600 s)",
        f'IG005 {path}:18:24 medium Administrators: Permission set "Administrators" allows sessions '
        "of 12 hours (43200 s); the limit is 1 hour (3600 s)",
    ]


def test_one_hour_sessions_and_the_default_pass() -> None:
    result = run(f"{CFN}/role-session-limit/negative_one_hour_or_default.yaml")
    assert [line for line in described(result) if line.startswith("IG005 ")] == []


def test_the_limit_is_configurable() -> None:
    path = f"{CFN}/role-session-limit/positive_twelve_hour_sessions.yaml"
    assert described(run(path, config=Config(options={"max_session_seconds": 43200}))) == []


def test_an_unset_duration_fires_only_when_an_explicit_limit_is_required() -> None:
    path = f"{CFN}/role-session-limit/negative_one_hour_or_default.yaml"
    result = run(path, config=Config(options={"require_explicit_session_limit": True}))
    assert described(result) == [
        f'IG005 {path}:13:3 medium DefaultRole: Role "DefaultRole" does not set its maximum session '
        "duration; set it to at most 1 hour (3600 s)",
    ]


def test_a_duration_that_is_not_a_duration_is_an_error_not_an_unknown(tmp_path) -> None:
    (tmp_path / "t.yaml").write_text(
        "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      MaxSessionDuration: twelve hours\n"
    )
    result = run(tmp_path)
    assert described(result) == []
    assert [(e.line, e.message) for e in result.errors] == [
        (5, "R: MaxSessionDuration must be a whole number of seconds")
    ]
    assert result.unresolved == []


@pytest.mark.parametrize(
    ("text", "iso", "seconds"),
    [
        (3600, False, 3600),
        ("43200", False, 43200),
        (43200.0, False, 43200),
        ("PT12H", True, 43200),
        ("PT1H30M", True, 5400),
        ("P1D", True, 86400),
        ("pt15m", True, 900),
        ("PT", True, "SessionDuration must be an ISO 8601 duration such as PT1H"),
        ("P", True, "SessionDuration must be an ISO 8601 duration such as PT1H"),
        ("12h", True, "SessionDuration must be an ISO 8601 duration such as PT1H"),
        (3600, True, "SessionDuration must be an ISO 8601 duration such as PT1H"),
        ("PT12H", False, "MaxSessionDuration must be a whole number of seconds"),
        (True, False, "MaxSessionDuration must be a whole number of seconds"),
    ],
)
def test_one_parser_reads_seconds_and_iso_8601_into_seconds(
    text: str | int | float | bool, iso: bool, seconds: int | str
) -> None:
    where = Location("t.yaml", 3, 5)
    key = "SessionDuration" if iso else "MaxSessionDuration"
    parsed = session_seconds(key, Scalar(text, where, "IsProd"), iso=iso)
    expected = seconds if isinstance(seconds, str) else Scalar(seconds, where, "IsProd")
    assert parsed == expected

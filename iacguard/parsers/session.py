"""A maximum session, read the same in both formats: whole seconds
(``MaxSessionDuration``, ``max_session_duration``) or ISO 8601 (``SessionDuration``,
``session_duration``), into a number of seconds for the model. A value of another form
is malformed input, reported as an error where it is written; a value known only at
deploy passes through."""

from __future__ import annotations

import re

from iacguard.model import Scalar, Value

ISO_DURATION = re.compile(
    r"^P(?:(?P<d>\d{1,6})D)?(?:T(?:(?P<h>\d{1,6})H)?(?:(?P<m>\d{1,6})M)?(?:(?P<s>\d{1,9})S)?)?$",
    re.IGNORECASE,
)
_MAX_DIGITS = 9  # longer than any session; and int() of thousands of digits fails


def session_seconds(key: str, value: Value, *, iso: bool) -> Value | str:
    """``value`` as a number of seconds (an unknown as it is), or why it is not a
    session duration."""
    if not isinstance(value, Scalar):
        return value
    seconds = _iso_seconds(value.value) if iso else _whole_seconds(value.value)
    if seconds is None:
        if iso:
            return f"{key} must be an ISO 8601 duration such as PT1H"
        return f"{key} must be a whole number of seconds"
    return Scalar(seconds, value.location, value.when)


def _iso_seconds(data: object) -> int | None:
    text = data.strip() if isinstance(data, str) else ""
    match = ISO_DURATION.match(text)
    if match is None or text.upper() in ("P", "PT"):
        return None
    parts = {unit: int(digits) for unit, digits in match.groupdict(default="0").items()}
    return parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]


def _whole_seconds(data: object) -> int | None:
    if isinstance(data, bool):
        return None
    if isinstance(data, int) and abs(data) < 10**_MAX_DIGITS:
        return data
    if isinstance(data, float) and data.is_integer() and abs(data) < 10**_MAX_DIGITS:
        return int(data)
    if isinstance(data, str) and data.strip().isdigit() and len(data.strip()) <= _MAX_DIGITS:
        return int(data.strip())
    return None

"""The form of a maximum session, the same in both formats: whole seconds
(``MaxSessionDuration``, ``max_session_duration``) or ISO 8601 (``SessionDuration``,
``session_duration``). A value of another form is malformed input, reported as an
error where it is written; a value known only at deploy passes through."""

from __future__ import annotations

import re

from iacguard.model import Scalar, Value

ISO_DURATION = re.compile(
    r"^P(?:(?P<d>\d{1,6})D)?(?:T(?:(?P<h>\d{1,6})H)?(?:(?P<m>\d{1,6})M)?(?:(?P<s>\d{1,9})S)?)?$",
    re.IGNORECASE,
)
_MAX_DIGITS = 9  # longer than any session; and int() of thousands of digits fails


def session_problem(key: str, value: Value, *, iso: bool) -> str | None:
    """Why ``value`` is not a session duration, or None when it is one (or unknown)."""
    if not isinstance(value, Scalar):
        return None
    data = value.value
    if iso:
        text = data.strip() if isinstance(data, str) else ""
        if ISO_DURATION.match(text) and text.upper() not in ("P", "PT"):
            return None
        return f"{key} must be an ISO 8601 duration such as PT1H"
    if isinstance(data, bool):
        return f"{key} must be a whole number of seconds"
    if isinstance(data, int) and abs(data) < 10**_MAX_DIGITS:
        return None
    if isinstance(data, float) and data.is_integer() and abs(data) < 10**_MAX_DIGITS:
        return None
    if isinstance(data, str) and data.strip().isdigit() and len(data.strip()) <= _MAX_DIGITS:
        return None
    return f"{key} must be a whole number of seconds"

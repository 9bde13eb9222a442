"""Reporters: each renders a finished scan in one format. They see only findings."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from iacguard.findings import Finding, ScanResult
    from iacguard.model import Location

FORMATS = ("text", "json", "sarif", "github", "junit", "gitlab")

# What a terminal or a log would act on rather than show: C0 and C1 controls (ESC starts
# colour, cursor and OSC sequences; CR rewrites a line), bidirectional overrides (text
# that reads otherwise than it is), and the lone surrogates Python decodes a file name's
# invalid bytes to.
# (compiled when first used: a replayed scan renders nothing)
_UNPRINTABLE = "[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
_SURROGATE = "[\ud800-\udfff]"


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def printable(value: str) -> str:
    """``value`` with every character a terminal would act on written as an escape
    (``\\x1b``, ``\\u202e``); a file name's byte that is not UTF-8 as ``\\xff``."""
    return _compiled(_UNPRINTABLE).sub(_escaped, value)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for the byte code - 0xDC00
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def dump_json(document: Any) -> str:
    """``document`` as indented JSON, valid UTF-8 whatever the names in it: a file
    name's undecodable bytes are written as ``\\xff`` text, not as lone surrogates
    that strict readers refuse."""
    import json as stdlib_json  # not ``json``: that name is this package's JSON reporter

    text = stdlib_json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if _compiled(_SURROGATE).search(text) is None:
        return text
    document = _without_surrogates(document)
    return stdlib_json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _without_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _compiled(_SURROGATE).sub(_escaped, value)
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    return value


def render(
    fmt: str,
    result: ScanResult,
    *,
    colour: bool = False,
    show_suppressed: bool = False,
    show_unresolved: bool = False,
    quiet: bool = False,
    group_by: str | None = None,
) -> str:
    """The scan in one of FORMATS; each reporter is imported only when it is used.
    ``colour``, ``show_suppressed``, ``show_unresolved``, ``quiet`` and ``group_by``
    concern the text format only."""
    if fmt == "text":
        from iacguard.report import text

        return text.render(
            result,
            colour=colour,
            show_suppressed=show_suppressed,
            show_unresolved=show_unresolved,
            quiet=quiet,
            group_by=group_by,
        )
    if fmt == "json":
        from iacguard.report import json

        return json.render(result)
    if fmt == "sarif":
        from iacguard.report import sarif

        return sarif.render(result)
    if fmt == "github":
        from iacguard.report import github

        return github.render(result)
    if fmt == "junit":
        from iacguard.report import junit

        return junit.render(result)
    if fmt == "gitlab":
        from iacguard.report import gitlab

        return gitlab.render(result)
    raise ValueError(f"unknown format {fmt!r}")


def in_repository(finding: Finding) -> tuple[Location, str]:
    """Where a pull request can show ``finding``, and its message said there.

    A module ``terraform init`` downloaded is never in the repository, and GitHub shows no
    annotation or alert on a file outside it: such a finding is shown on the module block
    that calls it (its last related location in the repository), and the message says
    where the module's statement is."""
    location, message = finding.location, finding.message
    if downloaded(location.file):
        call = next((r for r in reversed(finding.related) if not downloaded(r.location.file)), None)
        if call is not None:
            return (
                call.location,
                f"{message} (in {location.file}:{location.line}, {finding.resource})",
            )
    return location, message


def downloaded(file: str) -> bool:
    """Whether ``file`` is in a module tree ``terraform init`` wrote."""
    return ".terraform" in file.split("/")

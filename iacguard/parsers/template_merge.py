"""YAML merge keys (``<<: *defaults``) in a CloudFormation template, merged as the
installed PyYAML merges them (cfn-lint's decoder uses it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from iacguard.parsers.template_errors import DecodeError

# PyYAML 6.0.4 merges a list of mappings in order, each key once (the first wins); before,
# in reverse order, so the keys of the last mapping came first. Either way the first
# mapping's value wins; the order of keys follows the installed PyYAML, as cfn-lint's does.
_PYYAML = tuple(int(part) for part in yaml.__version__.split(".")[:3] if part.isdigit())
_MERGE_IN_ORDER = _PYYAML >= (6, 0, 4)


class _Merge:
    """The ``<<`` key of a mapping that merges others."""


MERGE = _Merge()


def flatten(
    pairs: list[Any],
    entries: Callable[[dict[Any, Any]], list[Any]],
    fail: Callable[[Exception], None],
) -> list[Any]:
    """PyYAML's merge of a mapping's ``pairs`` (key, key span, value, value span, size):
    the merged mappings first (the earlier one winning), then the mapping's own keys.
    ``entries`` gives a merged mapping's pairs; ``fail`` takes the error of a merge key
    whose value is not mappings."""
    merge: list[Any] = []
    own: list[Any] = []
    for pair in pairs:
        key, _, value, _, _ = pair
        if key is not MERGE:
            own.append(pair)
            continue
        sources = value if isinstance(value, list) else [value]
        if not all(isinstance(source, dict) for source in sources):
            fail(DecodeError("expected a mapping or list of mappings for merging"))
            return own
        if _MERGE_IN_ORDER:
            seen = {entry[0] for entry in merge}
            for source in sources:
                for entry in entries(source):
                    if entry[0] not in seen:
                        seen.add(entry[0])
                        merge.append(entry)
        else:
            for source in reversed(sources):
                merge.extend(entries(source))
    return merge + own

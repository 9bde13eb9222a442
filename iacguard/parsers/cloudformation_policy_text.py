"""A CloudFormation policy document given as JSON text (``Json`` properties), possibly
built with ``Fn::Sub``/``Fn::Join``: read by the JSON reader Terraform's policy text goes
through, each element located inside the string where that can be told."""

from __future__ import annotations

from typing import Any

from iacguard.model import Scalar, Statement, Unknown
from iacguard.parsers.template_strings import SourceText
from iacguard.resolve.cloudformation import Intrinsics
from iacguard.resolve.node import Node
from iacguard.text_map import TextMap, join_maps


def document_of(
    cfn: Intrinsics, source: SourceText | None, node: Node
) -> Node | Unknown | list[Statement]:
    """The document to read (a mapping, or an ``Fn::If`` of them), else the statements
    of its JSON text, else why it cannot be known."""
    if isinstance(node.value, dict) and not is_intrinsic(node.value):
        return node
    if isinstance(node.value, dict) and next(iter(node.value)) == "Fn::If":
        return node
    values = cfn.alternatives(node)
    if len(values) != 1 or not isinstance(values[0], Scalar):
        return cfn.unknown(node, "the policy document is built at deploy time")
    text = str(values[0].value)
    if not text.lstrip().startswith("{"):
        return cfn.unknown(node, "the policy document is a string that is not JSON")
    from iacguard.parsers.terraform_documents import read_policy
    from iacguard.resolve.terraform_values import Located

    located = Located(text, node.location, node.when, text_map=_text_map(cfn, source, node, text))
    statements, unknowns = read_policy(located, cfn.problems)
    return unknowns[0] if unknowns and not statements else statements


def _text_map(cfn: Intrinsics, source: SourceText | None, node: Node, text: str) -> TextMap | None:
    """Where the characters of a policy's JSON text are written, if that can be told."""
    if source is None:
        return None
    if isinstance(node.value, str):
        return source.string_map(text, node.location)
    pieces = cfn.sub_pieces(node)
    if pieces is None:
        return None
    template, literal = pieces
    template_map = source.string_map(template.value, template.location)
    if template_map is None:
        return None
    parts: list[tuple[int, TextMap]] = []
    offset = 0
    for start, end, value in literal:
        if value is None:
            piece = template_map.sliced(start)
            within = tuple(a for a in piece.anchors if a.offset < end - start)
            parts.append((offset, TextMap(within)))
            offset += end - start
        else:
            parts.append((offset, TextMap.fixed(template_map.location(start, end))))
            offset += len(value)
    return join_maps(parts)


def is_intrinsic(value: dict[str, Any]) -> bool:
    """``{Ref: …}`` or ``{Fn::…: …}``: a value to resolve, not a document."""
    key = next(iter(value), None)
    return len(value) == 1 and isinstance(key, str) and (key == "Ref" or key.startswith("Fn::"))

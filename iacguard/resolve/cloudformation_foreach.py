"""``Fn::ForEach`` (the ``AWS::LanguageExtensions`` transform) expanded, as cfn-lint
expands it before its rules run: each value of the collection makes a copy of the loop's
resources, with ``${Identifier}`` and ``&{Identifier}`` replaced in their logical ids and
``Fn::Sub`` strings, and ``Ref: Identifier`` replaced by the value.

The copies keep the places of the loop body they come from (a finding in a generated
role points at the line that wrote it). A collection known only at deploy (a parameter
without a default, a resource attribute) cannot be expanded: its resources are left out,
and the caller is told which loop and why.
"""

from __future__ import annotations

import re
from typing import Any

from iacguard.model import Location, Scalar
from iacguard.records import dataclass
from iacguard.resolve.cloudformation import Intrinsics
from iacguard.resolve.marks import MarkTable
from iacguard.resolve.node import Node

FOR_EACH = re.compile(r"^Fn::ForEach::[a-zA-Z0-9]+$")
MAX_COPIES = 1_000  # resources one template may generate (CloudFormation allows 500)
_SUB_VARIABLES = re.compile(r"\$\{\s*[^!\s].*?\s*\}|&\{\s*[^!\s].*?\s*\}")


@dataclass(frozen=True, slots=True)
class Skipped:
    """A loop that was not expanded: its key, where it is, what stopped it, and why."""

    key: str
    location: Location
    expression: str
    why: str


def expand(
    template: dict[str, Any], marks: MarkTable, file: str
) -> tuple[dict[str, Any], list[Skipped]]:
    """The template with its ``Resources`` loops expanded (the template itself when it
    has none), and the loops that could not be."""
    resources = template.get("Resources")
    if not isinstance(resources, dict) or not any(
        isinstance(k, str) and FOR_EACH.match(k) for k in resources
    ):
        return template, []
    expander = _Expander(template, marks, file)
    expanded = expander.mapping(resources, {})
    marks.nodes[id(expanded)] = marks.nodes.get(id(resources), (0, 0, 0, 0))
    result = {**template, "Resources": expanded}
    for key in result:
        _copy_entry_marks(marks, template, result, key, key)
    marks.nodes[id(result)] = marks.nodes.get(id(template), (0, 0, 0, 0))
    return result, expander.skipped


class _Expander:
    def __init__(self, template: dict[str, Any], marks: MarkTable, file: str) -> None:
        self.marks = marks
        self.file = file
        self.cfn = Intrinsics(template, file, marks)
        self.skipped: list[Skipped] = []
        self.copies = 0

    def mapping(self, mapping: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in mapping.items():
            if isinstance(key, str) and FOR_EACH.match(key):
                for new_key, (new_value, source_key) in self.loop(mapping, key, params).items():
                    if new_key in out or new_key in mapping:
                        where = self._key_location(mapping, key)
                        why = f"generates {new_key}, which is already defined"
                        self.skipped.append(Skipped(key, where, key, why))
                        continue
                    out[new_key] = new_value
                    _copy_entry_marks(self.marks, source_key[0], out, source_key[1], new_key)
                continue
            new_key = _replace(key, params) if isinstance(key, str) and params else key
            out[new_key] = self.value(value, params)
            _copy_entry_marks(self.marks, mapping, out, key, new_key)
        self.marks.nodes[id(out)] = self.marks.nodes.get(id(mapping), (0, 0, 0, 0))
        return out

    def loop(
        self, mapping: dict[str, Any], key: str, params: dict[str, str]
    ) -> dict[str, tuple[Any, tuple[dict[str, Any], str]]]:
        """The entries one loop generates: new key → (value, (body, key in the body))."""
        args = mapping[key]
        where = self._key_location(mapping, key)
        if not (
            isinstance(args, list)
            and len(args) == 3
            and isinstance(args[0], str)
            and isinstance(args[2], dict)
        ):
            why = "Fn::ForEach needs an identifier, a collection and a mapping of outputs"
            self.skipped.append(Skipped(key, where, key, why))
            return {}
        identifier, collection, body = args
        values = self.collection(collection, params, where)
        if values is None:
            why = "its collection is known only when the stack is deployed; not checked"
            self.skipped.append(Skipped(key, where, Intrinsics.source(collection), why))
            return {}
        generated: dict[str, tuple[Any, tuple[dict[str, Any], str]]] = {}
        for item in values:
            self.copies += 1
            if self.copies > MAX_COPIES:
                why = f"it would generate more than {MAX_COPIES:,} resources; not checked"
                self.skipped.append(Skipped(key, where, key, why))
                return generated
            inner = {**params, identifier: item}
            expanded = self.mapping(body, inner)
            for new_key, new_value in expanded.items():
                generated[new_key] = (new_value, (expanded, new_key))
        return generated

    def collection(self, value: Any, params: dict[str, str], where: Location) -> list[str] | None:
        """The collection's values as strings, when they are known before deploy."""
        if isinstance(value, list):
            items = [self.value(item, params) for item in value]
            if all(isinstance(i, (str, int, float)) and not isinstance(i, bool) for i in items):
                return [str(i) for i in items]
            return None
        node = Node(self.value(value, params), (), where)
        options = self.cfn.lists(node)  # a list parameter, Fn::FindInMap, Fn::Split
        if len(options) != 1 or not all(isinstance(v, Scalar) for v in options[0][0]):
            return None
        return [str(v.value) for v in options[0][0] if isinstance(v, Scalar)]

    def value(self, value: Any, params: dict[str, str]) -> Any:
        if not params:
            return value
        if isinstance(value, list):
            out = [self.value(item, params) for item in value]
            for index in range(len(value)):
                span = self.marks.values.get((id(value), index))
                if span is not None:
                    self.marks.values[id(out), index] = span
            if id(value) in self.marks.nodes:
                self.marks.nodes[id(out)] = self.marks.nodes[id(value)]
            return out
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (name, argument), *_ = value.items()
            if name == "Ref" and isinstance(argument, str) and argument in params:
                return params[argument]
            if name == "Fn::Sub" and isinstance(argument, str):
                text = _replace(argument, params)
                if not _SUB_VARIABLES.search(text):
                    return text
                return self._same_marks(value, {name: text})
            if (
                name == "Fn::Sub"
                and isinstance(argument, list)
                and argument
                and isinstance(argument[0], str)
            ):
                text = _replace(argument[0], params)
                if not _SUB_VARIABLES.search(text) and len(argument) == 1:
                    return text
                rest = [self.value(a, params) for a in argument[1:]]
                return self._same_marks(value, {name: [text, *rest]})
        return self.mapping(value, params)

    def _same_marks(self, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
        if id(old) in self.marks.nodes:
            self.marks.nodes[id(new)] = self.marks.nodes[id(old)]
        return new

    def _key_location(self, mapping: dict[str, Any], key: str) -> Location:
        return self.cfn.key_location(mapping, key, (), None)


def _replace(text: str, params: dict[str, str]) -> str:
    """``${Identifier}`` by the value, ``&{Identifier}`` by its letters and digits."""
    for name, value in params.items():
        text = text.replace("${" + name + "}", value)
        text = text.replace("&{" + name + "}", re.sub("[^0-9a-zA-Z]+", "", value))
    return text


def _copy_entry_marks(
    marks: MarkTable, source: dict[Any, Any], target: dict[Any, Any], key: Any, new_key: Any
) -> None:
    span = marks.keys.get((id(source), key))
    if span is not None:
        marks.keys[id(target), new_key] = span
    span = marks.values.get((id(source), key))
    if span is not None:
        marks.values[id(target), new_key] = span

"""CloudFormation intrinsic functions, resolved statically.

Works on a decoded template (plain values, or cfn-lint's nodes) and where its values
are written (``iacguard.resolve.marks``). Resolves ``Ref`` to parameters (their ``Default``) and
pseudo parameters, ``Fn::Sub``, ``Fn::Join``, ``Fn::Select``, ``Fn::Split``,
``Fn::FindInMap`` and both branches of ``Fn::If`` (each value tagged with the condition
it depends on). Everything else becomes an ``Unknown`` carrying the source text.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

from iacguard.errors import ErrorKind
from iacguard.model import Location, Scalar, Unknown, Value
from iacguard.resolve.cloudformation_syntax import (
    as_text,
    function_of,
    getatt_arguments,
    getatt_resource,
    is_list_parameter,
    plain_value,
    property_name,
    shape_message,
    sub_template,
    written,
)
from iacguard.resolve.limits import MAX_BUILT, MAX_STRING, MAX_VALUE_SIZE
from iacguard.resolve.marks import Key, Marks, NodeMarks, Span
from iacguard.resolve.node import Node, Path, Problem, join_when

# Values that are the same in every stack of the standard partition, or a readable
# placeholder where they are not: none of them can introduce a wildcard.
PSEUDO_PARAMETERS = {
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::AccountId": "${AWS::AccountId}",
    "AWS::Region": "${AWS::Region}",
    "AWS::StackName": "${AWS::StackName}",
    "AWS::StackId": "${AWS::StackId}",
    "AWS::NotificationARNs": "${AWS::NotificationARNs}",
}
NO_VALUE = "AWS::NoValue"
# The value of a nested stack's parameter that its parent stack fills with one of its own
# resources (CDK passes every cross-stack reference so): unknown, but naming that resource.
PASSED_RESOURCE = "\x00a resource of the parent stack"
MAX_COMBINATIONS = 64
_SUB_TOKEN = re.compile(r"\$\{([^}]*)\}")


class Intrinsics:
    """Resolves values inside one template."""

    def __init__(
        self,
        template: dict[str, Any],
        file: str,
        marks: Marks | None = None,
        *,
        paths: bool = True,
    ) -> None:
        self.file = file
        # Whether locations carry their path: only the cfn-lint pack shows one. Leaving
        # them out makes a command line scan's cache entries a sixth smaller to write and read.
        self.paths = paths
        self.marks: Marks = marks if marks is not None else NodeMarks()
        # Malformed input (a list where a string belongs, Fn::GetAtt: []), as opposed
        # to values known only at deploy (unknowns): the parser reports these as errors.
        self.problems: list[Problem] = []
        self.parameters = _mapping(template.get("Parameters"))
        self.mappings = _mapping(template.get("Mappings"))
        self.resources = _mapping(template.get("Resources"))
        # Characters built by Fn::Sub and Fn::Join so far: aliases let a small template
        # build the same long string in every resource, so the template has a budget.
        self.built = 0

    def location(self, span: Span | None, path: Path, fallback: Location | None) -> Location:
        """A span as a location, else ``fallback`` (re-pathed)."""
        if not self.paths:
            path = ()
        if span is not None:
            line, column, end_line, end_column = span
            return Location(self.file, line + 1, column + 1, end_line + 1, end_column + 1, path)
        if fallback is not None:
            return Location(
                fallback.file,
                fallback.line,
                fallback.column,
                fallback.end_line,
                fallback.end_column,
                path,
            )
        return Location(self.file, 1, 1, path=path)

    def key_location(
        self, mapping: Any, key: str, path: Path, fallback: Location | None
    ) -> Location:
        """Where ``key`` is written in ``mapping``, else the mapping, else ``fallback``."""
        span = self.marks.key(mapping, key) or self.marks.node(mapping)
        return self.location(span, path, fallback)

    def child(self, parent: Node, key: str | int) -> Node | None:
        """The child ``key`` of a mapping (or index of a list) node, or None if absent."""
        value = parent.value
        path = (*parent.path, key)
        if isinstance(key, str) and isinstance(value, dict) and key in value:
            span = self.marks.value(value, key)  # a string's own place, most often
            fallback = None if span else self.key_location(value, key, path, parent.location)
            return Node(value[key], path, self.location(span, path, fallback), parent.when)
        if isinstance(key, int) and isinstance(value, list) and 0 <= key < len(value):
            loc = self.location(self.marks.value(value, key), path, parent.location)
            return Node(value[key], path, loc, parent.when)
        return None

    def entry(self, parent: Node, key: str) -> Node | None:
        """Like ``child``, but located from the key to the end of the value: how a
        resource (``AppRole:`` and its body) or a block-valued property is shown."""
        node = self.child(parent, key)
        if node is None:
            return None
        start = self.key_location(parent.value, key, node.path, None)
        end_line, end_column = self._last_end(parent.value, key) or (
            start.end_line,
            start.end_column,
        )
        path = node.path if self.paths else ()
        span = Location(self.file, start.line, start.column, end_line, end_column, path)
        return Node(node.value, node.path, span, node.when)

    def _last_end(self, container: Any, key: Key) -> tuple[int, int] | None:
        """Where ``container[key]`` ends in the text (1-based). YAML marks the end of a
        block mapping or sequence at the next token, often lines further down, so take
        the end of its last scalar instead. The arguments of a short-form tag (``!Ref
        x``, ``!GetAtt a.b``, ``!Sub s``) have no place of their own; the function's
        node ends where they do."""
        function_end = None
        value = container[key]
        while isinstance(value, (dict, list)) and value:
            if function_end is not None or function_of(value) is not None:
                function_end = _end(self.marks.node(value)) or function_end
            container, key = value, next(reversed(value)) if isinstance(value, dict) else -1
            if key == -1:
                key = len(container) - 1
            value = container[key]
        return _end(self.marks.value(container, key)) or function_end

    # -- structure -------------------------------------------------------------------

    def branches(self, node: Node) -> Iterator[Node]:
        """The shapes a node may take: both branches of ``Fn::If`` (tagged), nothing for
        ``Ref: AWS::NoValue``, else the node itself."""
        fn = function_of(node.value)
        if fn == "Fn::If":
            args = node.value["Fn::If"]
            if not (isinstance(args, list) and len(args) == 3 and isinstance(args[0], str)):
                self.problem(node, "Fn::If needs a condition name and two values")
                return
            for index, truth in ((1, "true"), (2, "false")):
                branch = args[index]
                path = (*node.path, "Fn::If", index)
                when = join_when(node.when, f"condition {args[0]} is {truth}")
                where = self.location(self.marks.value(args, index), path, node.location)
                yield from self.branches(Node(branch, path, where, when))
            return
        if fn == "Ref" and node.value["Ref"] == NO_VALUE:
            return
        yield node

    def items(self, node: Node) -> Iterator[Node]:
        """The elements of a list-valued node, through ``Fn::If`` at any level; a single
        non-list value counts as a one-element list (as IAM allows for Action etc.)."""
        for shape in self.branches(node):
            if isinstance(shape.value, list) and len(shape.value) > MAX_VALUE_SIZE:
                # no IAM document holds that many (a policy is at most 10 KB)
                self.problem(
                    shape,
                    f"{property_name(shape.path)} has more than {MAX_VALUE_SIZE:,} values",
                    kind="limit",
                )
            elif isinstance(shape.value, list):
                for index in range(len(shape.value)):
                    element = self.child(shape, index)
                    if element is not None:
                        yield from self.branches(element)
            else:
                yield shape

    # -- values ----------------------------------------------------------------------

    def elements(self, node: Node) -> list[Value]:
        """The scalar elements of a list-valued property (Action, Resource, Users…)."""
        values: list[Value] = []
        for item in self.items(node):
            values.extend(self._list_or_scalar(item))
        return values

    def problem(self, node: Node, message: str, kind: ErrorKind = "value") -> list[Value]:
        """Record malformed input (or input past a limit); it has no value (and is not an
        unknown)."""
        self.problems.append(Problem(message, node.location, kind))
        return []

    def alternatives(self, node: Node, *, listed: bool = False) -> list[Value]:
        """The values a scalar property may take (one, or one per ``Fn::If`` branch);
        ``listed`` when the node is an element of a list (for messages)."""
        values: list[Value] = []
        for shape in self.branches(node):
            values.extend(self._scalar(shape, listed=listed))
        return values

    def _list_or_scalar(self, node: Node) -> list[Value]:
        fn = function_of(node.value)
        if fn == "Ref" and isinstance(node.value["Ref"], str):
            param = self.parameters.get(node.value["Ref"])
            if isinstance(param, dict) and is_list_parameter(param):
                return self._parameter_list(node, node.value["Ref"], param)
        if fn in ("Fn::Split", "Fn::FindInMap"):
            return [v for values, _ in self._lists(node) for v in values]
        return self._scalar(node, listed=True)

    def _scalar(self, node: Node, *, listed: bool = False) -> list[Value]:
        value = node.value
        if isinstance(value, (str, int, float, bool)):
            return [Scalar(plain_value(value), node.location, node.when)]
        if value is None:
            return self.problem(node, f"{property_name(node.path)} has no value")
        fn = function_of(value)
        if fn is None:
            return self.problem(node, shape_message(node, listed=listed))
        args = value[fn]
        if fn == "Fn::If":
            return self.alternatives(node)
        if fn == "Ref":
            return self._ref(node, args)
        if fn == "Fn::Sub":
            return self._sub(node, args)
        if fn == "Fn::Join":
            return self._join(node, args)
        if fn == "Fn::Select":
            return self._select(node, args)
        if fn == "Fn::FindInMap":
            return [v for values, _ in self._lists(node) for v in values]
        if fn == "Fn::GetAtt" and not getatt_arguments(args):
            return self.problem(node, "Fn::GetAtt needs a resource and an attribute")
        unknown = self.unknown(node, f"{fn} is known only when the stack is deployed")
        if fn == "Fn::GetAtt":
            return [self._naming(unknown, getatt_resource(args))]
        return [unknown]

    def _naming(self, unknown: Unknown, logical_id: str | None, *, passed: bool = False) -> Unknown:
        """``unknown`` naming the resource ``logical_id`` when the template creates it
        (or, ``passed``, the parameter by which its parent stack hands it one)."""
        if logical_id is None or not (passed or logical_id in self.resources):
            return unknown
        return Unknown(
            unknown.expression, unknown.why, unknown.location, unknown.when, str(logical_id)
        )

    def _ref(self, node: Node, name: Any) -> list[Value]:
        if not isinstance(name, str):
            return self.problem(node, "Ref needs a name")
        if name in PSEUDO_PARAMETERS:
            return [Scalar(PSEUDO_PARAMETERS[name], node.location, node.when)]
        param = self.parameters.get(name)
        if isinstance(param, dict):
            if "Default" not in param:
                return [self.unknown(node, f"parameter {name} has no Default")]
            default = param["Default"]
            if default == PASSED_RESOURCE:
                why = f"parameter {name} is a resource the parent stack passes"
                return [self._naming(self.unknown(node, why), name, passed=True)]
            if isinstance(default, (str, int, float, bool)):
                return [Scalar(as_text(default), node.location, node.when)]
            return [self.unknown(node, f"parameter {name} has a Default that is not a value")]
        if name in self.resources:
            unknown = self.unknown(node, f"Ref to resource {name} is known only after deploy")
            return [self._naming(unknown, name)]
        return [self.unknown(node, f"Ref to {name}, which the template does not define")]

    def _parameter_list(self, node: Node, name: str, param: dict[str, Any]) -> list[Value]:
        if "Default" not in param or param["Default"] == PASSED_RESOURCE:
            return self._ref(node, name)
        default = param["Default"]
        parts = default if isinstance(default, list) else str(default).split(",")
        return [Scalar(as_text(p).strip(), node.location, node.when) for p in parts]

    def _sub(self, node: Node, args: Any) -> list[Value]:
        if sub_template(args) is None:
            return self.problem(node, "Fn::Sub needs a string (and optionally a mapping)")
        return self._combine(node, [values for _, _, values in self._sub_tokens(node)], "")

    def _sub_tokens(self, node: Node) -> list[tuple[int, int, list[Value]]]:
        """The pieces of an ``Fn::Sub`` string: where each is in the template, and its
        values (a literal piece has one)."""
        args = node.value["Fn::Sub"]
        template = sub_template(args)
        assert template is not None
        variables = args[1] if isinstance(args, list) else {}
        pieces: list[tuple[int, int, list[Value]]] = []
        position = 0
        for match in _SUB_TOKEN.finditer(template):
            literal = Scalar(template[position : match.start()], node.location)
            pieces.append((position, match.start(), [literal]))
            position = match.end()
            name = match.group(1)
            if name.startswith("!"):
                values: list[Value] = [Scalar("${" + name[1:] + "}", node.location)]
            elif name in variables:
                var = variables[name]
                var_node = Node(var, (*node.path, "Fn::Sub", 1, name), node.location)
                values = self.alternatives(var_node)
            elif "." in name:
                unknown = self.unknown(node, f"${{{name}}} is known only after deploy")
                values = [self._naming(unknown, name.split(".", 1)[0])]
            else:
                values = self._ref(Node({"Ref": name}, node.path, node.location), name)
            pieces.append((match.start(), match.end(), values))
        pieces.append((position, len(template), [Scalar(template[position:], node.location)]))
        return pieces

    def sub_pieces(self, node: Node) -> tuple[Node, list[tuple[int, int, str | None]]] | None:
        """An ``Fn::Sub`` whose every piece has one known value: its template string (a
        located node) and the pieces, each ``(start, end, value)`` in the template, the
        value None where the piece is the template's own text. Else None."""
        if function_of(node.value) != "Fn::Sub" or sub_template(node.value["Fn::Sub"]) is None:
            return None
        args = node.value["Fn::Sub"]
        holder = Node(node.value, node.path, node.location)
        template = (
            self.child(holder, "Fn::Sub")
            if isinstance(args, str)
            else self.child(Node(args, (*node.path, "Fn::Sub"), node.location), 0)
        )
        assert template is not None
        pieces: list[tuple[int, int, str | None]] = []
        for index, (start, end, values) in enumerate(self._sub_tokens(node)):
            if len(values) != 1 or not isinstance(values[0], Scalar):
                return None
            pieces.append((start, end, None if index % 2 == 0 else as_text(values[0].value)))
        return template, pieces

    def _join(self, node: Node, args: Any) -> list[Value]:
        if not (isinstance(args, list) and len(args) == 2 and isinstance(args[0], str)):
            return self.problem(node, "Fn::Join needs a delimiter and a list")
        values: list[Value] = []
        for parts, when in self._lists(
            Node(args[1], (*node.path, "Fn::Join", 1), node.location, node.when)
        ):
            values.extend(
                self._combine(
                    Node(node.value, node.path, node.location, when), [[p] for p in parts], args[0]
                )
            )
        return values

    def _select(self, node: Node, args: Any) -> list[Value]:
        if not (isinstance(args, list) and len(args) == 2):
            return self.problem(node, "Fn::Select needs an index and a list")
        values: list[Value] = []
        for index in self.alternatives(
            Node(args[0], (*node.path, "Fn::Select", 0), node.location, node.when)
        ):
            if isinstance(index, Unknown):
                values.append(index)
                continue
            try:
                position = int(index.value)
            except (TypeError, ValueError, OverflowError):
                values.extend(self.problem(node, "Fn::Select index is not a number"))
                continue
            for parts, when in self._lists(
                Node(args[1], (*node.path, "Fn::Select", 1), node.location, index.when)
            ):
                if 0 <= position < len(parts):
                    picked = parts[position]
                    values.append(_relocate(picked, node.location, join_when(picked.when, when)))
                elif all(isinstance(p, Scalar) for p in parts):
                    values.extend(
                        self.problem(node, f"Fn::Select index {position} is out of range")
                    )
                else:
                    values.append(
                        self.unknown(node, "Fn::Select over values known only after deploy")
                    )
        return values

    def lists(self, node: Node) -> list[tuple[list[Value], str | None]]:
        """The alternatives of a list-valued expression, each a list of values."""
        return self._lists(node)

    def _lists(self, node: Node) -> list[tuple[list[Value], str | None]]:
        """The alternatives of a list-valued expression, each a list of values."""
        value = node.value
        fn = function_of(value)
        if isinstance(value, list):
            options: list[list[Value | None]] = []
            for i, item in enumerate(value):
                path = (*node.path, i)
                item_node = Node(
                    item, path, self.location(self.marks.value(value, i), path, node.location)
                )
                # an item that is Ref AWS::NoValue in some branch is absent there
                options.append([*self.alternatives(item_node)] or [None])
            result: list[tuple[list[Value], str | None]] = []
            for combo in itertools.islice(itertools.product(*options), MAX_COMBINATIONS):
                parts = [p for p in combo if p is not None]
                result.append((parts, join_when(node.when, *(p.when for p in parts))))
            return result
        if fn == "Fn::If":
            return [pair for shape in self.branches(node) for pair in self._lists(shape)]
        if fn == "Ref" and isinstance(value["Ref"], str):
            param = self.parameters.get(value["Ref"])
            if isinstance(param, dict) and is_list_parameter(param):
                return [(self._parameter_list(node, value["Ref"], param), node.when)]
        if fn == "Fn::Split":
            return self._split(node, value[fn])
        if fn == "Fn::FindInMap":
            return self._find_in_map(node, value[fn])
        return [
            (
                [self.unknown(node, f"{fn or 'this value'} is not a list known before deploy")],
                node.when,
            )
        ]

    def _split(self, node: Node, args: Any) -> list[tuple[list[Value], str | None]]:
        if not (isinstance(args, list) and len(args) == 2 and isinstance(args[0], str) and args[0]):
            self.problem(node, "Fn::Split needs a delimiter and a string")
            return [([], node.when)]
        result: list[tuple[list[Value], str | None]] = []
        for source in self.alternatives(
            Node(args[1], (*node.path, "Fn::Split", 1), node.location, node.when)
        ):
            if isinstance(source, Unknown):
                result.append(([source], source.when))
            else:
                parts = as_text(source.value).split(args[0])
                result.append(([Scalar(p, node.location, source.when) for p in parts], source.when))
        return result

    def _find_in_map(self, node: Node, args: Any) -> list[tuple[list[Value], str | None]]:
        if not (isinstance(args, list) and len(args) >= 3):
            self.problem(node, "Fn::FindInMap needs a map name and two keys")
            return [([], node.when)]
        keys = [
            self.alternatives(Node(arg, (*node.path, "Fn::FindInMap", i), node.location, node.when))
            for i, arg in enumerate(args[:3])
        ]
        result: list[tuple[list[Value], str | None]] = []
        for combo in itertools.islice(itertools.product(*keys), MAX_COMBINATIONS):
            when = join_when(node.when, *(k.when for k in combo))
            unknown = next((k for k in combo if isinstance(k, Unknown)), None)
            if unknown is not None:
                result.append(([unknown], when))
                continue
            entry: Any = self.mappings
            for key in combo:
                if not (isinstance(entry, dict) and isinstance(key, Scalar)):
                    entry = None
                    break
                entry = entry.get(as_text(key.value))
            if entry is None:
                result.append(
                    ([self.unknown(node, "Fn::FindInMap keys not found in Mappings")], when)
                )
                continue
            items = entry if isinstance(entry, list) else [entry]
            result.append(([self._mapping_value(node, item, when) for item in items], when))
        return result

    def _mapping_value(self, node: Node, item: Any, when: str | None) -> Value:
        if isinstance(item, (str, int, float, bool)):
            return Scalar(as_text(item), node.location, when)
        return self.unknown(node, "Fn::FindInMap entry is not a value")

    def _combine(self, node: Node, pieces: list[list[Value]], delimiter: str) -> list[Value]:
        values: list[Value] = []
        for combo in itertools.islice(itertools.product(*pieces), MAX_COMBINATIONS):
            when = join_when(node.when, *(p.when for p in combo))
            unknowns = [p for p in combo if isinstance(p, Unknown)]
            if unknowns:
                # built from literal text and resources of the template only: it names
                # the first of them (``!Join ["", [!GetAtt Bucket.Arn, "/*"]]``)
                unknown = next((u for u in unknowns if u.names is None), unknowns[0])
                source = self.source(node.value)
                values.append(Unknown(source, unknown.why, node.location, when, unknown.names))
            else:
                scalars = [p.value for p in combo if isinstance(p, Scalar)]
                # Measured before anything is copied (str() of a decoded string copies
                # it): YAML aliases can repeat one long string a hundred thousand times.
                length = sum(len(v) if isinstance(v, str) else 8 for v in scalars)
                length += len(delimiter) * len(scalars)
                why = None
                if length > MAX_STRING:
                    why = f"the string would be over {MAX_STRING:,} characters; not evaluated"
                elif self.built + length > MAX_BUILT:
                    why = (
                        f"the template builds over {MAX_BUILT:,} characters of strings; "
                        "not evaluated"
                    )
                if why is not None:
                    values.append(Unknown(self.source(node.value), why, node.location, when))
                else:
                    self.built += length
                    text = delimiter.join(as_text(v) for v in scalars)
                    values.append(Scalar(text, node.location, when))
        return values

    # -- unknowns --------------------------------------------------------------------

    def unknown(self, node: Node, why: str) -> Unknown:
        return Unknown(self.source(node.value), why, node.location, node.when)

    # how messages and ``unresolved`` show a value
    source = staticmethod(written)


def _end(span: Span | None) -> tuple[int, int] | None:
    return (span[2] + 1, span[3] + 1) if span is not None else None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _relocate(value: Value, location: Location, when: str | None) -> Value:
    if isinstance(value, Scalar):
        return Scalar(value.value, location, when)
    return Unknown(value.expression, value.why, location, when, value.names)

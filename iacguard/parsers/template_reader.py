"""Reading a CloudFormation template's text into plain values and where they are written.

Built on PyYAML's event stream (libyaml's C parser where installed, PyYAML's own parser
otherwise): a small builder makes dicts, lists and scalars as cfn-lint's decoder does
(short-form tags such as ``!Ref``, ``!GetAtt a.b`` and ``!Rain::Module`` become
``{"Ref": ...}``, ``{"Fn::GetAtt": [...]}``, ``{"Fn::Rain::Module": ...}``; anchors,
aliases and merge keys; YAML 1.1 scalars) and keeps, in a ``MarkTable`` beside them,
the places cfn-lint's nodes carry. Errors are the ones cfn-lint reports (duplicate
keys, alias amplification, syntax), in our words. A JSON template that YAML cannot read
(tabs) is read with its tabs as spaces, as cfn-lint falls back to its JSON decoder.

The builder is a loop over events with an explicit stack, so deep nesting costs no
recursion and stops at ``MAX_NESTING``; aliases share the anchored value (nothing is
copied), and the size the template would have once they are expanded is counted as it
is read, never built.

A caller that reads only some resource types says which: the ``Properties`` of other
resources (most of a template, often) are read through without being built, with the
checks building them makes (duplicate keys, constructors, limits); what only building
can check as cfn-lint does makes the template be read again, whole.
"""

from __future__ import annotations

from collections.abc import Container
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError, SafeConstructor

from iacguard.parsers.source import MAX_NESTING
from iacguard.parsers.template_errors import (
    DecodeError,
    duplicate_key,
    named,
    no_constructor,
    null_key,
    syntax,
    too_deep,
    unreadable,
)
from iacguard.parsers.template_merge import MERGE, flatten
from iacguard.records import dataclass
from iacguard.resolve.marks import MarkTable, Span

__all__ = ["MAX_EXPANDED_VALUES", "MAX_KEYS", "DecodeError", "Decoded", "read"]

# What cfn-lint refuses: the template's size with every alias expanded, in values.
MAX_EXPANDED_VALUES = 250_000
# Keys in one mapping. CloudFormation allows 500 resources and 200 mappings of 200
# keys; a mapping of tens of thousands of keys is an attack on whatever reads it.
MAX_KEYS = 10_000
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_UNCONVERTED = ("Ref", "Condition")  # short-form tags that keep their name
_TAB = "found character '\\t' that cannot start any token"
_LOADER = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
_CONSTRUCTOR = SafeConstructor()
_RESOLVER = yaml.resolver.Resolver()
# The tag of each short plain scalar's text, for every template of the process: most
# keys and values recur from one template to the next. At most 65,536 texts of at most
# 64 characters (the texts are the template author's): emptied when full.
_TAGS: dict[str, str] = {}
_TAGS_KEPT = 65536
_TAGS_LONGEST = 64


def _plain_tag(value: str) -> str:
    """The tag YAML 1.1 gives a plain scalar (the same for the same text)."""
    tag = _TAGS.get(value)
    if tag is None:
        tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
        if len(value) <= _TAGS_LONGEST:
            if len(_TAGS) >= _TAGS_KEPT:
                _TAGS.clear()
            _TAGS[value] = tag
    return tag


@dataclass(slots=True)
class Decoded:
    value: Any
    marks: MarkTable


def read(text: str, resource_types: Container[str] | None = None) -> Decoded:
    """The template in ``text`` (already decoded, newlines normalised). Given
    ``resource_types``, a resource of another type is read without its ``Properties``
    (an empty mapping stands for them), checked as they would be when read."""
    try:
        try:
            return _Builder(text, resource_types).read()
        except _Unusual:  # in properties left unread: read them after all
            return _Builder(text).read()
    except yaml.scanner.ScannerError as error:
        if str(error.problem).startswith(_TAB) and text.lstrip().startswith("{"):
            return _read_json_with_tabs(text)
        raise syntax(error) from None
    except yaml.parser.ParserError as error:
        raise syntax(error) from None
    except DecodeError:
        raise
    except RecursionError:
        raise too_deep() from None
    except Exception as error:  # a constructor's error, as cfn-lint reports it
        raise unreadable(error) from None


class _Unusual(Exception):
    """Properties left unread hold what only building them checks as cfn-lint does (an
    alias, a key that is not a string, a tag without a constructor)."""


class _Frame:
    """An open mapping or sequence: its pieces so far, how it was tagged, where it starts."""

    __slots__ = ("anchor", "items", "key", "mapping", "size", "start", "tag")

    def __init__(self, mapping: bool, tag: str | None, anchor: str | None, start: Any) -> None:
        self.mapping = mapping
        self.tag = tag
        self.anchor = anchor
        self.start = start
        self.items: list[Any] = []  # values; for a mapping, (key, key span, value, span)
        self.size = 1
        self.key: tuple[Any, Any] | None = None  # a mapping's key waiting for its value


class _Builder:
    def __init__(self, text: str, resource_types: Container[str] | None = None) -> None:
        self.text = text
        self.marks = MarkTable()
        self.guard = "&" in text  # as cfn-lint: without an anchor there is no alias
        # the resource types whose properties are read (all, with anchors: one may be
        # aliased from anywhere)
        self.resource_types = None if self.guard else resource_types
        # anchor → (value, its span for the table, expanded size, start mark)
        self.anchors: dict[str, tuple[Any, Span | None, int, Any]] = {}
        self.open_anchors: dict[str, Any] = {}
        self.failure: Exception | None = None  # the first error while building
        self.sizes: dict[int, int] = {}  # a collection's size with aliases expanded

    def read(self) -> Decoded:
        loader = _LOADER(self.text)
        try:
            root = self._events(loader)
        finally:
            loader.dispose()
        if self.failure is not None:
            raise self.failure
        if root is None:
            root = {}
            self.marks.nodes[id(root)] = (0, 0, 0, 0)
        elif self.guard and self.root_size > MAX_EXPANDED_VALUES:
            raise DecodeError(
                f"YAML aliases expand to more than {MAX_EXPANDED_VALUES:,} values; "
                "the template is not read",
                kind="limit",
            )
        return Decoded(root, self.marks)

    def _events(self, loader: Any) -> Any:
        get = loader.get_event
        scalar_event = yaml.ScalarEvent
        plain_tag = _plain_tag
        stack: list[_Frame] = []
        root: Any = None
        self.root_size = 0
        first_document = None
        while True:
            event = get()
            kind = type(event)
            if kind is scalar_event:
                anchor = event.anchor
                if anchor is not None:
                    self._anchor(anchor, event.start_mark)
                value = event.value
                span: Span | None
                if self.failure is not None:
                    value, span = None, None
                elif event.tag is None and (not event.implicit[0] or plain_tag(value) == _STR):
                    # most scalars: a string, with its place; nothing to construct
                    start, end = event.start_mark, event.end_mark
                    span = (start.line, start.column, end.line, end.column)
                else:
                    value, span = self._scalar(event)
                size = self.sizes.get(id(value), 1) if type(value) is dict else 1
                if anchor is not None:
                    self._remember(anchor, value, span, size)
                if self.failure is None:
                    root = self._add(stack, value, span, size) or root
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if len(stack) == 3 and self._unread(stack):
                    self._leave_unread(get, event, stack)
                else:
                    stack.append(self._open(event, len(stack)))
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = stack.pop()
                closed = self._close(frame, event) if self.failure is None else None
                if closed is not None:
                    value, span, size = closed
                    self._remember(frame.anchor, value, span, size)
                    root = self._add(stack, value, span, size) or root
                else:
                    self._remember(frame.anchor, None, None, 1)
            elif kind is yaml.AliasEvent:
                anchored = self._alias(event)
                if anchored is not None and self.failure is None:
                    value, span, size, _ = anchored
                    root = self._add(stack, value, span, size) or root
            elif kind is yaml.DocumentStartEvent:
                first_document = _only_document(first_document, event)
            elif kind is yaml.StreamEndEvent:
                return root

    # -- properties left unread ------------------------------------------------------

    def _unread(self, stack: list[_Frame]) -> bool:
        """Whether the collection opening is the ``Properties`` of a resource whose type
        (written before them) is not one of ``resource_types``."""
        types = self.resource_types
        if types is None or self.failure is not None:
            return False
        root, resources, resource = stack
        if not (root.mapping and resources.mapping and resource.mapping):
            return False
        if root.key is None or root.key[0] != "Resources":
            return False
        if resource.key is None or resource.key[0] != "Properties":
            return False
        for key, _, value, _, _ in resource.items:
            if key == "Type":
                return type(value) is str and value not in types
        return False

    def _leave_unread(self, get: Any, start: Any, stack: list[_Frame]) -> None:
        """Read through the collection ``start`` opens (a resource's properties), building
        nothing but with the checks building makes; an empty mapping stands for it."""
        begin, end = start.start_mark, _Unread(self, len(stack)).through(get, start)
        span = (begin.line, begin.column, end.line, end.column)
        placeholder: dict[Any, Any] = {}
        self.marks.nodes[id(placeholder)] = span
        self._add(stack, placeholder, span, 1)

    # -- values ----------------------------------------------------------------------

    def _open(self, event: Any, depth: int) -> _Frame:
        if depth >= MAX_NESTING:
            raise too_deep(event.start_mark.line + 1)
        self._anchor(event.anchor, event.start_mark)
        tag = event.tag if event.tag not in (None, "!", _MAP, _SEQ) else None
        return _Frame(type(event) is yaml.MappingStartEvent, tag, event.anchor, event)

    def _alias(self, event: Any) -> tuple[Any, Span | None, int, Any] | None:
        """What an alias stands for: the anchored value itself, never a copy."""
        anchored = self.anchors.get(event.anchor)
        if anchored is not None:
            return anchored
        if event.anchor in self.open_anchors:  # inside its own anchor
            problem = "found unconstructable recursive node"
            self._fail(ConstructorError(None, None, problem, self.open_anchors[event.anchor]))
            return None
        problem = named("found undefined alias", event.anchor)
        raise ComposerError(None, None, problem, event.start_mark)

    def _anchor(self, anchor: str | None, mark: Any) -> None:
        if anchor is None:
            return
        known = self.anchors.get(anchor)
        first = known[3] if known is not None else self.open_anchors.get(anchor)
        if first is not None:
            raise ComposerError(
                named("found duplicate anchor", anchor) + "; first occurrence",
                first,
                "second occurrence",
                mark,
            )
        self.open_anchors[anchor] = mark

    def _remember(self, anchor: str | None, value: Any, span: Any, size: int) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, span, size, self.open_anchors.pop(anchor))

    def _scalar(self, event: Any) -> tuple[Any, Span | None]:
        """A scalar as cfn-lint constructs it and its span (kept in the table for strings
        only, as cfn-lint does); nothing when it cannot be constructed (the error is kept: a
        syntax error later in the text is reported first, as cfn-lint's is)."""
        try:
            return self._construct(event)
        except Exception as error:  # what a constructor raises, as cfn-lint catches it
            self._fail(error)
            return None, None

    def _construct(self, event: Any) -> tuple[Any, Span | None]:
        tag = event.tag
        value = event.value
        start, end = event.start_mark, event.end_mark
        span = (start.line, start.column, end.line, end.column)
        if tag is None or tag == "!":
            if not event.implicit[0]:
                return value, span
            tag = _plain_tag(value)
        if tag == _STR:
            return value, span
        if tag == _MERGE:
            return MERGE, span
        if tag.startswith("!"):
            name = _function_name(tag)
            argument: Any = value
            if name == "Fn::GetAtt":
                argument = value.split(".", 1)
                self.marks.nodes[id(argument)] = span
                self.sizes[id(argument)] = 1 + len(argument)
            wrapped = {name: argument}
            self.marks.nodes[id(wrapped)] = span
            self.sizes[id(wrapped)] = 1 + self.sizes.get(id(argument), 1)
            return wrapped, span
        constructor = _CONSTRUCTOR.yaml_constructors.get(tag)
        if constructor is None:
            raise no_constructor(tag, start)
        return constructor(_CONSTRUCTOR, yaml.ScalarNode(tag, value, start, end)), span

    def _add(self, stack: list[_Frame], value: Any, span: Any, size: int) -> Any:
        """Put a finished value into the open collection; the root, when there is none."""
        if not stack:
            self.root_size = size
            if isinstance(value, dict) and span is not None:
                self.marks.nodes[id(value)] = span
            return value
        frame = stack[-1]
        frame.size += size
        if frame.mapping:
            pending = frame.key
            if pending is not None:
                if value is MERGE:
                    self._fail(no_constructor(_MERGE, frame.start.start_mark))
                frame.items.append((pending[0], pending[1], value, span, size))
                frame.key = None
            else:
                frame.key = (value, span)
                if len(frame.items) >= MAX_KEYS:
                    raise DecodeError(
                        f"a mapping has more than {MAX_KEYS:,} keys; the template is not read",
                        frame.start.start_mark.line + 1,
                        kind="limit",
                    )
        else:
            if value is MERGE:
                self._fail(no_constructor(_MERGE, frame.start.start_mark))
            frame.items.append((value, span, size))
        return None

    def _close(self, frame: _Frame, end_event: Any) -> tuple[Any, Span | None, int] | None:
        start, end = frame.start.start_mark, end_event.end_mark
        span = (start.line, start.column, end.line, end.column)
        function = _function_name(frame.tag) if frame.tag and frame.tag.startswith("!") else None
        if frame.tag is not None and function is None:
            self._fail(no_constructor(frame.tag, start))
            return None
        value: Any
        if frame.mapping:
            value, size = self._mapping(frame, check=function is None)
        else:
            value = [item[0] for item in frame.items]
            size = frame.size
            for index, (item, item_span, _) in enumerate(frame.items):
                if item_span is not None and isinstance(item, str):
                    self.marks.values[id(value), index] = item_span
        if function is None:
            self.marks.nodes[id(value)] = span
            self.sizes[id(value)] = size
            return value, span, size
        if function == "Fn::GetAtt" and isinstance(value, list):
            self.marks.nodes[id(value)] = span
        self.sizes[id(value)] = size
        wrapped = {function: value}
        self.marks.nodes[id(wrapped)] = span
        self.sizes[id(wrapped)] = size + 1
        return wrapped, span, size + 1

    def _mapping(self, frame: _Frame, *, check: bool) -> tuple[dict[Any, Any], int]:
        """A mapping's entries after merge keys, checked as cfn-lint checks them."""
        pairs = frame.items
        merged = any(pair[0] is MERGE for pair in pairs)
        if merged:
            pairs = flatten(pairs, self._entries, self._fail)
        mapping: dict[Any, Any] = {}
        spans: dict[Any, tuple[Any, Any, int]] = {}
        for key, key_span, value, value_span, size in pairs:
            if key is None and check:
                self._fail(null_key(self.text, key_span or _start(frame)))
                return mapping, 1
            if isinstance(key, (dict, list)):
                self._fail(DecodeError(f'Unhashable type "{key}"'))
                return mapping, 1
            if check and not merged and key in mapping:
                self._fail(duplicate_key(key, spans[key][0]))
                return mapping, 1
            mapping[key] = value
            # a merged key overridden: the dict keeps the key first put in
            spans[key] = (spans[key][0] if key in spans else key_span, value_span, size)
        size = 1
        identity = id(mapping)
        for key, (key_span, value_span, value_size) in spans.items():
            size += value_size
            if key_span is not None and isinstance(key, str):  # as cfn-lint: strings only
                self.marks.keys[identity, key] = key_span
            if value_span is not None and isinstance(mapping[key], str):
                self.marks.values[identity, key] = value_span
        return mapping, size

    def _entries(self, mapping: dict[Any, Any]) -> list[Any]:
        identity = id(mapping)
        marks = self.marks
        return [
            (
                key,
                marks.keys.get((identity, key)),
                value,
                marks.nodes.get(id(value))
                if isinstance(value, (dict, list))
                else marks.values.get((identity, key)),
                self.sizes.get(id(value), 1),
            )
            for key, value in mapping.items()
        ]

    def _fail(self, error: Exception) -> None:
        if self.failure is None:
            self.failure = error


class _Keys:
    """A mapping read through: its keys so far and where the first of each is written
    (None for a function's arguments, whose keys are not checked), whether a key comes
    next, how many keys it has, and the first key written twice."""

    __slots__ = ("count", "duplicate", "next_is_key", "seen", "start")

    def __init__(self, start: Any, checked: bool) -> None:
        self.start = start
        self.seen: dict[str, Any] | None = {} if checked else None
        self.next_is_key = True
        self.count = 0
        self.duplicate: tuple[str, Any] | None = None


class _Unread:
    """Reads through a collection without building it, checking what building it checks:
    its depth, each mapping's number of keys and its duplicate keys, each scalar that is
    not a string constructed. What only building checks (an alias, an anchor, a key
    that is not a string, a tag without a constructor on a collection) is ``_Unusual``:
    the template is then read again, building everything."""

    def __init__(self, builder: _Builder, depth: int) -> None:
        self.builder = builder
        self.depth = depth  # of the collection read through
        self.open: list[_Keys | None] = []  # None: a sequence

    def through(self, get: Any, event: Any) -> Any:
        """Read events from the collection ``event`` opens to its end; the end's mark."""
        scalar_event = yaml.ScalarEvent
        tags = _TAGS
        most_keys = MAX_KEYS
        open_ = self.open
        while True:
            kind = type(event)
            if kind is scalar_event:
                mapping = open_[-1]  # the first event opens a collection
                text = event.value
                if (
                    event.tag is not None
                    or event.anchor is not None
                    or (event.implicit[0] and (tags.get(text) or _plain_tag(text)) != _STR)
                ):
                    self._scalar(event, mapping)
                elif mapping is None:  # a string in a sequence: most scalars are strings
                    pass
                elif not mapping.next_is_key:
                    mapping.next_is_key = True
                elif (
                    mapping.count < most_keys
                    and mapping.seen is not None
                    and text not in mapping.seen
                ):
                    mapping.seen[text] = event.start_mark
                    mapping.count += 1
                    mapping.next_is_key = False
                else:
                    self._key(mapping, text, event)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                self._open(event, open_[-1] if open_ else None)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                mapping = open_.pop()
                if mapping is not None and mapping.duplicate is not None:
                    key, earlier = mapping.duplicate  # reported as it closes, as when built
                    self.builder._fail(duplicate_key(key, (earlier.line, earlier.column, 0, 0)))
                if not open_:
                    return event.end_mark
                if open_[-1] is not None:
                    open_[-1].next_is_key = True
            else:  # an alias
                raise _Unusual
            event = get()

    def _scalar(self, event: Any, mapping: _Keys | None) -> None:
        if event.anchor is not None:
            raise _Unusual
        tag = event.tag
        text = event.value
        string = (tag is None or tag == "!") and (not event.implicit[0] or _plain_tag(text) == _STR)
        if mapping is not None and mapping.next_is_key:
            if not string:
                raise _Unusual
            self._key(mapping, text, event)
            return
        if not string and not _is_function(tag):
            self.builder._scalar(event)  # a constructor's error, as when built
        if mapping is not None:
            mapping.next_is_key = True

    def _open(self, event: Any, mapping: _Keys | None) -> None:
        if (mapping is not None and mapping.next_is_key) or event.anchor is not None:
            raise _Unusual  # a collection as a key; an anchor
        if self.depth + len(self.open) >= MAX_NESTING:
            raise too_deep(event.start_mark.line + 1)
        tag = event.tag
        function = _is_function(tag)
        if tag not in (None, "!", _MAP, _SEQ) and not function:
            raise _Unusual
        if type(event) is yaml.MappingStartEvent:
            self.open.append(_Keys(event, checked=not function))
        else:
            self.open.append(None)

    @staticmethod
    def _key(mapping: _Keys, key: str, event: Any) -> None:
        if mapping.count >= MAX_KEYS:
            raise DecodeError(
                f"a mapping has more than {MAX_KEYS:,} keys; the template is not read",
                mapping.start.start_mark.line + 1,
                kind="limit",
            )
        mapping.next_is_key = False
        mapping.count += 1
        seen = mapping.seen
        if seen is None:
            return
        if key not in seen:
            seen[key] = event.start_mark
        elif mapping.duplicate is None:
            mapping.duplicate = (key, seen[key])


def _is_function(tag: str | None) -> bool:
    """A short-form intrinsic function's tag (``!Ref``, ``!Sub``, ``!Rain::Module``)."""
    return tag is not None and tag[0] == "!" and tag != "!"


def _only_document(first: Any, event: Any) -> Any:
    """Where the first document starts; a second is an error, as cfn-lint's."""
    if first is not None:
        raise ComposerError(
            "expected a single document in the stream",
            first,
            "but found another document",
            event.start_mark,
        )
    return event.start_mark


def _start(frame: _Frame) -> Span:
    mark = frame.start.start_mark
    return mark.line, mark.column, mark.line, mark.column


def _function_name(tag: str) -> str:
    suffix = tag[1:]
    return suffix if suffix in _UNCONVERTED else f"Fn::{suffix}"


def _read_json_with_tabs(text: str) -> Decoded:
    """JSON indented with tabs, which YAML's block context refuses (cfn-lint then reads
    it as JSON): a tab can only be whitespace in JSON (one in a string is written
    ``\\t``), so it reads as a space, in the same column."""
    try:
        return _Builder(text.replace("\t", " ")).read()
    except yaml.MarkedYAMLError as error:
        raise syntax(error) from None

"""How CloudFormation's intrinsic functions are written: which function a value is,
the shapes of their arguments, and how a value is shown in a message. Pure functions of
the decoded template; ``iacguard.resolve.cloudformation`` evaluates them."""

from __future__ import annotations

from typing import Any

from iacguard.resolve.node import Node, Path

SHOWN = 120  # characters of an intrinsic shown in a message


def written(value: Any) -> str:
    """A short, readable rendering of an intrinsic for messages and ``unresolved``."""
    fn = function_of(value)
    if fn is None:
        text = _compact(value)
    else:
        args = value[fn]
        if fn == "Fn::GetAtt" and isinstance(args, list):
            args = ".".join(_compact(a) for a in args[:3])
        name = fn.removeprefix("Fn::")
        text = f"!{name} {args if isinstance(args, str) else _compact(args)}"
    return text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."


def function_of(value: Any) -> str | None:
    """The intrinsic function a value is (``Ref``, ``Fn::Sub``…), or None."""
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        if isinstance(key, str) and (key == "Ref" or key.startswith("Fn::")):
            return key
    return None


def sub_template(args: Any) -> str | None:
    """The string of ``Fn::Sub``'s arguments (a string, or a string and a mapping)."""
    if isinstance(args, list) and len(args) == 2 and isinstance(args[1], dict):
        args = args[0]
    return args if isinstance(args, str) else None


def getatt_resource(args: Any) -> str | None:
    """The logical id ``Fn::GetAtt``'s arguments name (``[Bucket, Arn]``, ``Bucket.Arn``)."""
    if isinstance(args, str):
        return args.split(".", 1)[0]
    return args[0] if isinstance(args, list) and args and isinstance(args[0], str) else None


def getatt_arguments(args: Any) -> bool:
    if isinstance(args, str):
        return "." in args.strip(".")
    return (
        isinstance(args, list)
        and len(args) == 2
        and isinstance(args[0], str)
        and bool(args[0])
        and (isinstance(args[1], str) or function_of(args[1]) is not None)
    )


def is_list_parameter(param: dict[str, Any]) -> bool:
    kind = param.get("Type")
    return isinstance(kind, str) and (kind == "CommaDelimitedList" or kind.startswith("List<"))


def property_name(path: Path) -> str:
    """The property a value is written under: the nearest name in its route."""
    return next((k for k in reversed(path) if isinstance(k, str) and k != "Fn::If"), "the value")


def shape_message(node: Node, *, listed: bool) -> str:
    """What is wrong with a list or mapping written where a single value belongs."""
    key = property_name(node.path)
    kind = "a list" if isinstance(node.value, list) else "a mapping"
    if key.startswith("Fn::"):
        return f"{key} takes single values here, not {kind}"
    if listed:
        return f"{key} must be a string or a list of strings"
    return f"{key} must be a single value, not {kind}"


def plain_value(value: str | int | float | bool) -> str | int | float | bool:
    """The plain value of a decoded scalar: the model holds no cfn-lint node types,
    so it pickles (cache, worker processes) as it is."""
    return str(value) if isinstance(value, str) else value


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _compact(value: Any, room: int = SHOWN + 1) -> str:
    """``value`` in flow style, cut once it passes ``room`` characters: what is shown is
    short, and what is not shown is never built (aliases can make it gigabytes)."""
    if isinstance(value, (dict, list)):
        pairs = value.items() if isinstance(value, dict) else ((None, v) for v in value)
        parts: list[str] = []
        used = 2
        for key, item in pairs:
            if used > room:
                parts.append("...")
                break
            part = (
                _compact(item, room - used)
                if key is None
                else f"{key}: {_compact(item, room - used)}"
            )
            parts.append(part)
            used += len(part) + 2
        inside = ", ".join(parts)
        return "{" + inside + "}" if isinstance(value, dict) else "[" + inside + "]"
    return str(value)[: max(room, 0) + 1]

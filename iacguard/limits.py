"""Limits that the config sets and the readers honour, kept apart from both."""

# About 350 MB of memory for a 1 MiB .tf file in python-hcl2; CloudFormation refuses
# templates over 1 MB anyway.
DEFAULT_MAX_FILE_BYTES = 1024 * 1024

# Mappings and lists inside each other. Real configurations stay under twenty; the
# parsers recurse once or more per level, and libyaml's composer overflows the C stack
# (killing the process) somewhere past 20,000.
MAX_NESTING = 128


def nested_too_deeply() -> str:
    return f"nested too deeply (more than {MAX_NESTING} levels)"


def brackets_too_deep(text: str) -> bool:
    """Whether brackets, braces and parentheses nest deeper than ``MAX_NESTING``: a
    cheap count that ignores quoting, so a parser that recurses per level is never
    handed such a text."""
    if text.count("[") + text.count("{") + text.count("(") <= MAX_NESTING:
        return False
    depth = 0
    for char in text:
        if char in "[{(":
            depth += 1
            if depth > MAX_NESTING:
                return True
        elif char in "]})" and depth:
            depth -= 1
    return False

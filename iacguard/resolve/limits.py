"""How large a resolved value may grow: past these, a value is unknown rather than
built, so that no input (YAML aliases, doubling Terraform locals) can exhaust memory."""

from __future__ import annotations

# Values inside one value: larger ones are unknown (a guard against doubling locals).
MAX_VALUE_SIZE = 10_000
# Characters in one string: a longer one is unknown ("${local.a}${local.a}" forty
# times over would need terabytes). A policy is at most a file.
MAX_STRING = 1024 * 1024
# Characters all the strings built from one CloudFormation template may add up to.
MAX_BUILT = 4 * MAX_STRING
# Characters (and source anchors) built into strings while evaluating one value, all
# alternatives together: chained conditionals in interpolation double them at each step.
MAX_BUILT_PER_VALUE = 2 * MAX_STRING
# CPU seconds to resolve one root module and the modules it calls; past that, every
# value is unknown and the module gets an error.
MAX_CPU_SECONDS = 10.0


class TooLarge(Exception):
    """Building a value would pass ``MAX_VALUE_SIZE`` or ``MAX_STRING``; ``why`` says so."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def check_string(length: int) -> None:
    if length > MAX_STRING:
        raise TooLarge(f"the string would be over {MAX_STRING:,} characters; not evaluated")


def check_size(size: int) -> None:
    if size > MAX_VALUE_SIZE:
        raise TooLarge(f"the value has over {MAX_VALUE_SIZE:,} elements; not evaluated")

"""The README's quick start shows what `iacguard check fixtures/` prints today."""

from __future__ import annotations

import re

from helpers import ROOT, iacguard


def test_the_quick_start_output_is_what_the_command_prints() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme[readme.index("## Quick start") :]
    command = re.search(r"```sh\n(iacguard check \S+)\n```", quick_start)
    assert command is not None
    shown = re.search(r"\n```\n(.*?)\n```", quick_start[command.end() :], re.DOTALL)
    assert shown is not None
    lines = shown[1].splitlines()

    done = iacguard(*command[1].split()[1:])
    printed = done.stdout.splitlines()

    # "…" stands for lines left out; the others appear in this order, the summary last.
    assert lines[-1] == printed[-1], f"README's summary line is stale; it is now:\n{printed[-1]}"
    remaining = iter(printed)
    for line in lines[:-1]:
        if line != "…":
            assert line in remaining, (
                f"README shows a line the quick start no longer prints:\n{line}"
            )

"""--profile: the CPU time of each phase of a scan on stderr; the report is unchanged."""

from __future__ import annotations

import re

from helpers import iacguard

from iacguard.profile import Profile

TERRAFORM = "fixtures/terraform/admin-policy-attached/positive_every_attachment_form"
TEMPLATE = "fixtures/cloudformation/admin-policy-attached/positive_every_attachment_form.json"
ROW = re.compile(r"^  (?P<name>[a-z][a-z ]*?) +(?P<seconds>\d+\.\d{3})$")


def phases(stderr: str) -> dict[str, float]:
    head, *rows = stderr.splitlines()
    assert head == "iacguard profile: CPU seconds by phase (worker processes included)"
    found = {}
    for row in rows:
        match = ROW.match(row)
        assert match, row
        found[match["name"]] = float(match["seconds"])
    return found


def test_profile_names_every_phase_with_its_cpu_time() -> None:
    args = ("check", TERRAFORM, TEMPLATE, "--format", "json", "--jobs", "1")
    cache = ("--no-cache",)
    plain = iacguard(*args, *cache)
    profiled = iacguard(*args, *cache, "--profile")
    assert profiled.stdout == plain.stdout  # the report is the same
    assert profiled.returncode == plain.returncode == 1
    times = phases(profiled.stderr)
    assert list(times) == [
        "discover",
        "read",
        "cache",
        "parse cloudformation",
        "parse terraform",
        "resolve",
        "check",
        "report",
        "startup and imports",
        "total",
    ]
    assert all(seconds >= 0 for name, seconds in times.items() if name != "startup and imports")


def test_without_profile_nothing_is_printed_on_stderr() -> None:
    done = iacguard("check", TEMPLATE, "--format", "json", "--no-cache")
    assert done.returncode == 1
    assert done.stderr == ""


def test_phases_entered_twice_add_up_and_keep_the_scan_order() -> None:
    profile = Profile()
    for name in ("check", "parse terraform", "discover", "check"):
        with profile.phase(name):
            sum(range(1000))
    names = [ROW.match(row)["name"] for row in profile.render().splitlines()[1:]]  # type: ignore[index]
    assert names == ["discover", "parse terraform", "check", "startup and imports", "total"]

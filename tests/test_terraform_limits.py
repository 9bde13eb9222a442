"""Hostile or broken configurations end as unknowns or errors, quickly: cycles,
doubling values, deep reference chains, self-calling modules, files outside the scan."""

from pathlib import Path

import pytest
from helpers import lines, run

from iacguard.findings import ScanResult


def scan(directory: Path, source: str) -> ScanResult:
    (directory / "main.tf").write_text(source)
    return run(directory)


def whys(result: ScanResult) -> list[tuple[int, str, str]]:
    return [(u.line, u.expression, u.why) for u in result.unresolved]


def test_locals_that_refer_to_each_other_are_unknown(tmp_path: Path) -> None:
    result = scan(
        tmp_path,
        "locals {\n"
        "  a = local.b\n"
        "  b = local.a\n"
        "}\n"
        'resource "aws_iam_policy" "p" {\n'
        '  policy = jsonencode({Statement = [{Effect = "Allow", Action = local.a}]})\n'
        "}\n",
    )
    assert result.errors == []
    assert whys(result) == [(3, "local.a", "local.a refers to itself")]


def test_a_value_built_by_doubling_is_refused_before_it_is_walked(tmp_path: Path) -> None:
    doubling = "".join(f"  a{i} = [local.a{i - 1}, local.a{i - 1}]\n" for i in range(1, 40))
    result = scan(
        tmp_path,
        'locals {\n  a0 = ["s3:*"]\n' + doubling + "}\n"
        'resource "aws_iam_policy" "p" {\n'
        "  policy = jsonencode({Statement = [\n"
        '    {Effect = "Allow", Action = flatten(local.a39), Resource = "*"}\n'
        "  ]})\n"
        "}\n",
    )
    assert result.errors == []
    assert [why for _, _, why in whys(result)] == [
        "the value has over 10,000 elements; not evaluated"
    ]


def test_a_long_chain_of_references_ends_as_unknown(tmp_path: Path) -> None:
    chain = "".join(f"  a{i} = local.a{i - 1}\n" for i in range(1, 2000))
    result = scan(
        tmp_path,
        'locals {\n  a0 = "*"\n' + chain + "}\n"
        'resource "aws_iam_policy" "p" {\n'
        '  policy = jsonencode({Statement = [{Effect = "Allow", Action = local.a1999}]})\n'
        "}\n",
    )
    assert result.errors == []
    assert [why for _, _, why in whys(result)] == ["references are nested too deeply"]


def test_a_module_that_calls_itself_is_read_once(tmp_path: Path) -> None:
    result = scan(
        tmp_path,
        'module "again" {\n  source = "./"\n}\nresource "aws_iam_user" "u" {\n  name = "u"\n}\n',
    )
    assert lines(result) == [f"IG003 {tmp_path}/main.tf:4:1 low aws_iam_user.u"]
    assert whys(result) == [(2, "./", "the module calls itself")]


def test_files_outside_the_scanned_directories_are_not_read(tmp_path: Path) -> None:
    result = scan(
        tmp_path,
        'resource "aws_iam_policy" "p" {\n  policy = file("/etc/passwd")\n}\n',
    )
    assert result.errors == []
    assert whys(result) == [(2, 'file("/etc/passwd")', "the policy document cannot be resolved")]


def _chained_conditionals() -> str:
    """About 1 KB: each local interpolates the previous one twice, once behind a condition
    that cannot be known, so alternatives and string lengths double at every step."""
    chain = "".join(
        f'  l{i} = "${{local.l{i - 1}}}${{var.c ? local.l{i - 1} : "q"}}"\n' for i in range(1, 23)
    )
    return (
        'variable "c" {}\n'
        f'locals {{\n  l0 = "${{var.c ? "x" : "y"}}"\n{chain}}}\n'
        'resource "aws_iam_policy" "p" {\n'
        '  policy = jsonencode({Statement = [{Effect = "Allow", Action = local.l22}]})\n'
        "}\n"
        'resource "aws_iam_policy" "admin" {\n'
        '  policy = jsonencode({Statement = [{Effect = "Allow", Action = "*", Resource = "*"}]})\n'
        "}\n"
    )


def test_chained_conditionals_in_interpolation_are_capped_in_time_and_memory(
    tmp_path: Path,
) -> None:
    import json
    import subprocess
    import sys

    source = _chained_conditionals()
    assert len(source) < 1400  # the chain itself is about 1 KB
    (tmp_path / "main.tf").write_text(source)
    # In a process of its own, which reports its CPU time and peak memory.
    program = (
        "import json, sys, time\n"
        "from helpers import run, lines\n"
        "result = run(sys.argv[1])\n"
        # VmHWM is this process's own peak; ru_maxrss would keep pytest's from before exec.
        "status = open('/proc/self/status').read()\n"
        "kb = int(status.split('VmHWM:')[1].split()[0])\n"
        "print(json.dumps({'cpu': time.process_time(), 'kb': kb,\n"
        "    'errors': [e.message for e in result.errors], 'findings': lines(result),\n"
        "    'unresolved': [(u.line, u.why) for u in result.unresolved]}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent,
    )
    report = json.loads(done.stdout)
    assert report["cpu"] < 10  # 27 s before
    assert report["kb"] < 200 * 1024  # 2.7 GB before
    assert report["errors"] == []
    assert report["unresolved"] == [
        [25, "its strings would pass 2,097,152 characters in all; not evaluated"]
    ]
    assert report["findings"] == [
        f"IG002 {tmp_path}/main.tf:31:65 critical aws_iam_policy.admin",
        f"IG008 {tmp_path}/main.tf:31:65 high aws_iam_policy.admin",
        f"IG009 {tmp_path}/main.tf:31:65 high aws_iam_policy.admin",
    ]


def test_a_module_past_its_cpu_budget_is_an_error_at_the_module_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iacguard.resolve import terraform

    clock = iter(range(0, 10_000, 20))  # CPU seconds that pass 20 at a time

    class Time:
        @staticmethod
        def process_time() -> float:
            return float(next(clock))

    monkeypatch.setattr(terraform, "time", Time)
    (tmp_path / "slow").mkdir()
    (tmp_path / "slow" / "main.tf").write_text('resource "aws_iam_user" "u" {\n  name = "ci"\n}\n')
    result = scan(tmp_path, 'module "slow" {\n  source = "./slow"\n}\n')
    assert [(e.file, e.line, e.message) for e in result.errors] == [
        (
            f"{tmp_path}/main.tf",
            1,
            "evaluation stopped after 10 s of CPU time in this module; "
            "the values it did not reach are unknown",
        )
    ]

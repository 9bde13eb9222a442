"""Hostile or broken configurations end as unknowns or errors, quickly: cycles,
doubling values, deep reference chains, self-calling modules, files outside the scan."""

from pathlib import Path

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

"""Hostile and broken input, generated here (nothing large is committed): each bad file
is one clear error entry naming the file and line where known, or a quiet skip when
it is not IaC; good files around it are still checked; nothing raises or hangs."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from helpers import iacguard, run

from iacguard.config import Config
from iacguard.findings import ScanResult

USER = "Resources:\n  U:\n    Type: AWS::IAM::User\n"
TF_USER = 'resource "aws_iam_user" "u" {\n  name = "u"\n}\n'
POLICY = (
    "Resources:\n"
    "  P:\n"
    "    Type: AWS::IAM::ManagedPolicy\n"
    "    Properties:\n"
    "      PolicyDocument:\n"
    "        Statement:\n"
    "          - Effect: Allow\n"
    "            Action: {action}\n"
    "            Resource: '*'\n"
)


def short_id(value: object) -> str:
    """Test ids that stay readable when a parameter is a generated megabyte."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 30 else f"{text[:12]}…{len(text)}"


def errors(result: ScanResult) -> list[tuple[str, int | None, str]]:
    return [(Path(e.file or "").name, e.line, e.message) for e in result.errors]


def findings(result: ScanResult) -> list[tuple[str, str, int]]:
    return [(f.rule_id, Path(f.location.file).name, f.location.line) for f in result.findings]


def scan_one(tmp_path: Path, name: str, content: bytes | str, **config: object) -> ScanResult:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return run(tmp_path, config=Config(**config))  # type: ignore[arg-type]


# -- encodings and junk -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "line", "message"),
    ids=short_id,
    argvalues=[
        ("junk.tf", bytes(range(256)) * 4, None, "binary file (contains NUL bytes), not text"),
        (
            "junk.yaml",
            b"\x00\x9c" + b"AWS::IAM::User" + b"\xff" * 64,
            None,
            "binary file (contains NUL bytes), not text",
        ),
        ("utf16.yaml", USER.encode("utf-16"), None, "UTF-16 text; save the file as UTF-8"),
        ("utf16.tf", TF_USER.encode("utf-16"), None, "UTF-16 text; save the file as UTF-8"),
        ("latin1.yaml", USER.encode() + b"# caf\xe9\n", 4, "not valid UTF-8 text"),
        ("latin1.tf", b"# caf\xe9\n" + TF_USER.encode(), 1, "not valid UTF-8 text"),
        (
            "unclosed.tf",
            'resource "aws_iam_user" "u" {\n  name = "u"\n',
            3,
            "unexpected end of file",
        ),
        (
            "unclosed.yaml",
            USER + "    Properties: {UserName: [a\n",
            5,
            "cannot parse template: did not find expected ',' or ']'",
        ),
        ("empty-key.tf", "# aws_iam_user\n= 1\n", 2, "unexpected '= 1'"),
    ],
)
def test_bad_bytes_are_one_error_naming_the_file(
    tmp_path: Path, name: str, content: bytes | str, line: int | None, message: str
) -> None:
    result = scan_one(tmp_path, name, content)
    assert errors(result) == [(name, line, message)]


@pytest.mark.parametrize(
    ("name", "content"),
    ids=short_id,
    argvalues=[
        ("junk.yaml", bytes(range(256)) * 4),  # no IAM type in it: not a template
        ("junk.json", b"\xff\xfe\x00\x00" * 100),
        ("empty.yaml", b""),
        ("empty.json", b""),
        ("whitespace.yaml", b"\n\n   \n"),
        ("utf16.yaml", "apiVersion: v1\nkind: Pod\n".encode("utf-16")),
    ],
)
def test_junk_that_is_not_a_template_is_skipped_quietly(
    tmp_path: Path, name: str, content: bytes
) -> None:
    result = scan_one(tmp_path, name, content)
    assert (result.errors, [Path(f).name for f in result.skipped]) == ([], [name])


def test_an_empty_tf_file_is_skipped(tmp_path: Path) -> None:
    """Nothing in it can be IAM (the Terraform pre-filter)."""
    result = scan_one(tmp_path, "main.tf", b"")
    assert (result.errors, result.findings, [Path(f).name for f in result.skipped]) == (
        [],
        [],
        ["main.tf"],
    )


@pytest.mark.parametrize(
    ("name", "content"),
    ids=short_id,
    argvalues=[
        ("bom.yaml", b"\xef\xbb\xbf" + USER.encode()),
        ("crlf.yaml", USER.replace("\n", "\r\n").encode()),
        ("bom-crlf.yaml", b"\xef\xbb\xbf" + USER.replace("\n", "\r\n").encode()),
        ("cr.yaml", USER.replace("\n", "\r").encode()),
        ("bom.tf", b"\xef\xbb\xbf" + TF_USER.encode()),
        ("crlf.tf", TF_USER.replace("\n", "\r\n").encode()),
    ],
)
def test_bom_and_crlf_files_are_scanned_normally(tmp_path: Path, name: str, content: bytes) -> None:
    result = scan_one(tmp_path, name, content)
    line = 2 if name.endswith(".yaml") else 1
    assert (errors(result), findings(result)) == ([], [("IG003", name, line)])


# -- size ---------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_one_error_saying_how_to_raise_it(tmp_path: Path) -> None:
    big = USER + "# " + "x" * 8 * 1024 * 1024 + "\n"  # an 8 MB one-line string
    result = scan_one(tmp_path, "big.yaml", big)
    size = len(big)
    assert errors(result) == [
        (
            "big.yaml",
            None,
            f"file is {size:,} bytes, over the 1,048,576-byte limit; to scan it, raise the "
            "limit with --max-file-bytes",
        )
    ]
    assert [e.kind for e in result.errors] == ["limit"]


def test_a_tf_file_over_a_configured_limit_is_an_error(tmp_path: Path) -> None:
    result = scan_one(tmp_path, "main.tf", TF_USER, max_file_bytes=10)
    assert errors(result) == [
        (
            "main.tf",
            None,
            f"file is {len(TF_USER)} bytes, over the 10-byte limit; to scan it, raise the "
            "limit with --max-file-bytes",
        )
    ]
    assert [e.kind for e in result.errors] == ["limit"]


def test_a_large_data_file_without_iam_is_skipped_not_an_error(tmp_path: Path) -> None:
    lock = (
        '{"lockfileVersion": 3, "packages": {' + '"x": {"version": "1.0.0"},' * 80_000 + '"y": {}}}'
    )
    result = scan_one(tmp_path, "package-lock.json", lock)
    assert (result.errors, [Path(f).name for f in result.skipped]) == ([], ["package-lock.json"])


def test_the_size_limit_is_raised_from_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TF_USER)
    low = iacguard("check", str(tmp_path), "--max-file-bytes", "10")
    assert low.returncode == 2
    assert "over the 10-byte limit" in low.stderr
    assert iacguard("check", str(tmp_path), "--max-file-bytes", "1000").returncode == 1


def test_a_4_mb_string_in_hcl_is_refused_before_python_hcl2_reads_it(tmp_path: Path) -> None:
    """python-hcl2 takes about 850 MB for a 4 MB one-line string: the default limit stops it."""
    text = 'locals {\n  s = "' + "x" * 4 * 1024 * 1024 + '"\n}\n'
    started = time.perf_counter()
    result = scan_one(tmp_path, "main.tf", text)
    assert [m for _, _, m in errors(result)] == [
        f"file is {len(text):,} bytes, over the 1,048,576-byte limit; to scan it, raise the "
        "limit with --max-file-bytes"
    ]
    assert time.perf_counter() - started < 5


# -- nesting and expansion ------------------------------------------------------------------

DEEP = 20_000


@pytest.mark.parametrize(
    ("name", "content", "line"),
    ids=short_id,
    argvalues=[
        ("deep.json", '{"Resources": {"AWS::IAM::Role": ' + "[" * DEEP + "]" * DEEP + "}}", 1),
        ("deep.yaml", "Resources:\n  X: " + "[" * DEEP + "]" * DEEP + "\n# AWS::IAM::Role\n", 2),
        ("dashes.yaml", "Resources:\n  - AWS::IAM::Role\n  - " + "- " * DEEP + "x\n", 3),
        ("deep.tf", "# aws_iam_\nlocals {\n  x = " + "[" * DEEP + "]" * DEEP + "\n}\n", None),
        (
            "objects.tf",
            "# aws_iam_\nlocals {\n  x = " + "{a = " * DEEP + "1" + "}" * DEEP + "\n}\n",
            None,
        ),
        ("deep.tf.json", '{"//": "aws_iam_", "locals": {"x": ' + "[" * DEEP + "]" * DEEP + "}}", 1),
    ],
)
def test_nesting_20000_deep_is_one_error_fast(
    tmp_path: Path, name: str, content: str, line: int | None
) -> None:
    started = time.perf_counter()
    result = scan_one(tmp_path, name, content)
    assert errors(result) == [(name, line, "nested too deeply (more than 128 levels)")]
    assert time.perf_counter() - started < 5


def test_yaml_nested_past_the_c_stack_is_refused_before_libyaml_builds_it(tmp_path: Path) -> None:
    """libyaml's composer recurses in C: 30,000 levels kill the process with SIGSEGV."""
    deep = 300_000
    result = scan_one(
        tmp_path, "t.yaml", "Resources: " + "[" * deep + "]" * deep + " # AWS::IAM::\n"
    )
    assert errors(result) == [("t.yaml", 1, "nested too deeply (more than 128 levels)")]


def test_a_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    levels = "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    bomb = (
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + levels
        + USER
        + "    Properties:\n      Groups: *i\n"
    )
    started = time.perf_counter()
    result, peak = scan_measured(tmp_path, bomb)
    assert errors(result) == [
        (
            "t.yaml",
            None,
            "YAML aliases expand to more than 250,000 values; the template is not read",
        )
    ]
    assert time.perf_counter() - started < 5
    assert peak < 20_000_000


def test_aliases_repeating_a_long_string_do_not_build_it(tmp_path: Path) -> None:
    repeated = ", ".join(["*s"] * 20_000)
    template = "s: &s " + "x" * 100_000 + "\n" + POLICY.format(action=f"!Join ['', [{repeated}]]")
    result, peak = scan_measured(tmp_path, template)
    assert result.errors == []
    assert [(u.line, u.why) for u in result.unresolved] == [
        (9, "the string would be over 1,048,576 characters; not evaluated")
    ]
    assert peak < 50_000_000


def test_aliases_building_a_long_string_in_every_resource_stay_within_a_budget(
    tmp_path: Path,
) -> None:
    """Each join is just under the 1 MiB a string may have; three hundred of them once
    held 300 MB. The template has a budget of characters built: past it, unknown."""
    joined = ", ".join(["*s"] * 10)
    template = (
        "s: &s "
        + "x" * 100_000
        + "\nResources:\n"
        + "".join(
            f"  P{i}:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
            "      PolicyDocument:\n        Statement:\n"
            f"          - {{Effect: Allow, Action: !Join ['', [{joined}]], Resource: [*s]}}\n"
            for i in range(300)
        )
    )
    assert len(template) < 200_000
    result, peak = scan_measured(tmp_path, template)
    assert result.errors == []
    whys = {u.why for u in result.unresolved}
    assert whys == {"the template builds over 4,194,304 characters of strings; not evaluated"}
    assert [u.line for u in result.unresolved][:2] == [32, 38]  # the first four are built
    assert peak < 100_000_000


def scan_measured(tmp_path: Path, template: str) -> tuple[ScanResult, int]:
    """A scan of one template and the peak of memory Python allocated during it."""
    import tracemalloc

    tracemalloc.start()
    try:
        result = scan_one(tmp_path, "t.yaml", template)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


# -- wrong shapes: errors at file:line, and the rest of the file is still checked -------------


@pytest.mark.parametrize(
    ("body", "line", "message"),
    ids=short_id,
    argvalues=[
        (
            POLICY.format(action='[[["s3:*"]]]'),
            8,
            "P: Action must be a string or a list of strings",
        ),
        (
            POLICY.format(action="{Fn::GetAtt: []}"),
            8,
            "P: Fn::GetAtt needs a resource and an attribute",
        ),
        (
            POLICY.format(action="!If [OnlyOne]"),
            8,
            "P: Fn::If needs a condition name and two values",
        ),
        (POLICY.format(action="{Ref: [a]}"), 8, "P: Ref needs a name"),
        (POLICY.format(action="!Select [x, [a]]"), 8, "P: Fn::Select index is not a number"),
        (POLICY.format(action="!Select [3, [a]]"), 8, "P: Fn::Select index 3 is out of range"),
        (POLICY.format(action="!Join [only-one]"), 8, "P: Fn::Join needs a delimiter and a list"),
        (
            POLICY.format(action="!Sub [[x]]"),
            8,
            "P: Fn::Sub needs a string (and optionally a mapping)",
        ),
        (POLICY.format(action="!Split [',']"), 8, "P: Fn::Split needs a delimiter and a string"),
        (
            POLICY.format(action="!FindInMap [M]"),
            8,
            "P: Fn::FindInMap needs a map name and two keys",
        ),
        (
            POLICY.format(action="s3:GetObject")
            .replace("Statement:\n", "Statement: 42\n")
            .split("          -")[0],
            6,
            "P: a Statement must be a mapping, not a number",
        ),
        (
            POLICY.format(action="s3:GetObject").replace("Effect: Allow", "Effect: [Allow]"),
            7,
            "P: Effect must be a single value, not a list",
        ),
        (
            POLICY.format(action="s3:GetObject") + "            Condition: 42\n",
            10,
            "P: Condition must be a mapping of operators to conditions",
        ),
        (
            POLICY.format(action="s3:GetObject") + "            Condition: {StringEquals: [a]}\n",
            10,
            "P: Condition StringEquals must be a mapping of keys to values",
        ),
        (
            "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      MaxSessionDuration: twelve hours\n",
            5,
            "R: MaxSessionDuration must be a whole number of seconds",
        ),
        (
            "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      MaxSessionDuration: '"
            + "9" * 5000
            + "'\n",
            5,
            "R: MaxSessionDuration must be a whole number of seconds",
        ),
        (
            "Resources:\n  S:\n    Type: AWS::SSO::PermissionSet\n    Properties:\n      SessionDuration: 12h\n",
            5,
            "S: SessionDuration must be an ISO 8601 duration such as PT1H",
        ),
        (
            "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n      ManagedPolicyArns: [[arn]]\n",
            5,
            "R: ManagedPolicyArns must be a string or a list of strings",
        ),
        ("Resources:\n  R:\n    Type: [list]\n", 3, "R: Type must be a string"),
        ("Resources:\n  R:\n    Properties: {}\n", 2, "R: the resource has no Type"),
        ("Resources:\n  R: 42\n", 2, "R: a resource must be a mapping"),
        (
            "Resources:\n  X:\n    Type: AWS::IAM::User\n    Properties:\n      UserName: [a, b]\n",
            5,
            "X: UserName must be a single value, not a list",
        ),
    ],
)
def test_a_wrong_shape_in_cloudformation_is_an_error_and_the_rest_is_checked(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    template = "AWSTemplateFormatVersion: '2010-09-09'\n" + body.replace(
        "Resources:\n", "Resources:\n  U:\n    Type: AWS::IAM::User\n", 1
    )
    result = scan_one(tmp_path, "t.yaml", template)
    assert errors(result) == [("t.yaml", line + 3, message)]
    assert ("IG003", "t.yaml", 3) in findings(result)
    assert result.unresolved == []


TF_POLICY = (
    'resource "aws_iam_policy" "p" {\n'
    "  policy = jsonencode({\n"
    '    Statement = [{ Effect = "Allow", Action = {action}, Resource = "*" }]\n'
    "  })\n"
    "}\n"
)


@pytest.mark.parametrize(
    ("body", "line", "message"),
    ids=short_id,
    argvalues=[
        (
            TF_POLICY.replace("{action}", '[[["s3:*"]]]'),
            3,
            "aws_iam_policy.p: Action must be a string or a list of strings",
        ),
        (
            'resource "aws_iam_policy" "p" {\n  policy = jsonencode({Statement = 42})\n}\n',
            2,
            "aws_iam_policy.p: a Statement must be a mapping, not a number",
        ),
        (
            'data "aws_iam_policy_document" "d" {\n  statement {\n    actions = [[["s3:*"]]]\n  }\n}\n',
            3,
            "data.aws_iam_policy_document.d: actions must be a string or a list of strings",
        ),
        (
            'resource "aws_iam_role" "r" {\n  name = "r"\n  max_session_duration = "twelve hours"\n}\n',
            3,
            "aws_iam_role.r: max_session_duration must be a whole number of seconds",
        ),
        (
            'resource "aws_ssoadmin_permission_set" "s" {\n  name = "s"\n  session_duration = 3600\n}\n',
            3,
            "aws_ssoadmin_permission_set.s: session_duration must be an ISO 8601 duration such as PT1H",
        ),
        (
            'resource "aws_iam_user" {\n  name = "x"\n}\n',
            1,
            'a resource block needs a type and a name: resource "TYPE" "NAME" { … }',
        ),
        (
            'resource "aws_iam_group" "g" {\n  name = "g"\n  name = "h"\n}\n',
            3,
            "name is set twice (first on line 5)",
        ),
        (
            'resource "aws_iam_group" "g" {\n  name = ["a"]\n}\n',
            2,
            "aws_iam_group.g: name must be a single value, not a list",
        ),
        (
            'resource "aws_iam_policy" "p" {\n  policy = <<EOF\n{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Action": "*", "Resource": "*"}]}\nEOF\n}\n',
            3,
            'aws_iam_policy.p: the policy is not valid JSON: duplicate key "Action"',
        ),
    ],
)
def test_a_wrong_shape_in_terraform_is_an_error_and_the_rest_is_checked(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    result = scan_one(tmp_path, "main.tf", TF_USER + body)
    assert errors(result) == [("main.tf", line + 3, message)]
    assert ("IG003", "main.tf", 1) in findings(result)
    assert result.unresolved == []


def test_numbers_no_one_can_convert_are_errors_or_unknowns_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "a.tf").write_text(
        TF_USER
        + 'resource "aws_iam_user" "n" {\n  count = "nan"\n  name = "n"\n}\n'
        + 'resource "aws_iam_user" "i" {\n  count = 1e999\n  name = ["a"][1e999]\n}\n'
        + 'resource "aws_iam_user" "e" {\n  name = element([], 0)\n}\n'
        + "locals {\n  big = "
        + "9" * 5000
        + "\n}\n"
    )
    (tmp_path / "b.tf.json").write_text('{"locals": {"n": ' + "9" * 5000 + "}}")
    result = run(tmp_path)
    assert errors(result) == [("b.tf.json", 1, "a number with more than 4,000 digits")]
    assert ("IG003", "a.tf", 1) in findings(result)


# -- files that are not what they seem ---------------------------------------------------


def test_a_fifo_named_like_a_template_is_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "good.yaml").write_text(USER)
    result = run(tmp_path)
    assert findings(result) == [("IG003", "good.yaml", 2)]
    assert [(Path(n.file).name, n.why) for n in result.not_read] == [
        ("pipe.yaml", "not a regular file (a named pipe, socket or device); not read")
    ]
    assert result.errors == []


def test_a_fifo_given_on_the_command_line_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.tf")
    result = run(tmp_path / "pipe.tf")
    assert [Path(n.file).name for n in result.not_read] == ["pipe.tf"]


def test_an_unreadable_file_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root reads anything, so the refusal is simulated where files are opened."""
    from iacguard.parsers import source

    real_open = os.open

    def refuse(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith("secret.yaml") or str(path).endswith("secret.tf"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(source.os, "open", refuse)
    (tmp_path / "secret.yaml").write_text(USER)
    (tmp_path / "secret.tf").write_text(TF_USER)
    (tmp_path / "good.yaml").write_text(USER)
    result = run(tmp_path)
    assert sorted(errors(result)) == [
        ("secret.tf", None, "cannot read file: Permission denied"),
        ("secret.yaml", None, "cannot read file: Permission denied"),
    ]
    assert findings(result) == [("IG003", "good.yaml", 2)]


def test_a_directory_that_cannot_be_listed_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "t.yaml").write_text(USER)
    real_scandir = os.scandir

    def refuse(path: object = ".") -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "scandir", refuse)
    result = run(tmp_path)
    assert errors(result) == [("locked", None, "cannot list directory: Permission denied")]


def test_symlink_loops_end_quickly(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to("..")
    (tmp_path / "sub" / "self").symlink_to(".")
    (tmp_path / "a.yaml").symlink_to("b.yaml")
    (tmp_path / "b.yaml").symlink_to("a.yaml")
    (tmp_path / "t.yaml").write_text(USER)
    started = time.perf_counter()
    result = run(tmp_path)
    assert time.perf_counter() - started < 5
    assert findings(result) == [("IG003", "t.yaml", 2)]
    assert [(Path(n.file).name, n.why) for n in result.not_read] == [
        ("a.yaml", "a symbolic link to nothing (broken, or a loop)"),
        ("b.yaml", "a symbolic link to nothing (broken, or a loop)"),
    ]


def test_file_of_a_link_loop_is_unknown(tmp_path: Path) -> None:
    (tmp_path / "loop.json").symlink_to("loop.json")
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_policy" "p" {\n  policy = file("${path.module}/loop.json")\n}\n'
    )
    result = run(tmp_path)
    assert result.errors == []
    assert [(u.line, u.why) for u in result.unresolved] == [
        (2, "the policy document cannot be resolved")
    ]


def test_a_scan_leaves_the_recursion_limit_alone(tmp_path: Path) -> None:
    """Raising it would let a deep input overflow the C stack and kill the process."""
    import sys

    limit = sys.getrecursionlimit()
    scan_one(tmp_path, "deep.tf", "x = " + "[" * 5000 + "]" * 5000 + "\n")
    assert sys.getrecursionlimit() == limit


# -- an unexpected exception is one error entry, the scan goes on, exit 2 --------------------


def test_a_check_that_fails_is_an_internal_error_at_the_object_it_was_checking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iacguard.checks.user_not_in_group import UserNotInGroup
    from iacguard.checks.wildcard_action import WildcardAction

    def fail(*args: object) -> None:
        raise TypeError("boom")

    monkeypatch.setattr(WildcardAction, "statement", fail)
    (tmp_path / "t.yaml").write_text(
        USER + POLICY.format(action="s3:*").removeprefix("Resources:\n")
    )
    result = run(tmp_path)
    file = f"{tmp_path}/t.yaml"
    assert [(e.kind, e.file, e.line, e.column, e.message) for e in result.errors] == [
        ("internal", file, 9, 13, "internal error in IG002: TypeError: boom")
    ]
    assert findings(result) == [("IG003", "t.yaml", 2)]
    assert UserNotInGroup.hooks()  # the other checks ran
    done = iacguard("check", str(tmp_path))
    assert done.returncode == 2
    assert f"{file}:9:13: error: internal error in IG002: TypeError: boom\n" in done.stderr


def test_a_parser_that_fails_is_an_internal_error_for_that_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iacguard.parsers import cloudformation_resources, hcl_tree

    def fail(*args: object) -> None:
        raise KeyError("boom")

    monkeypatch.setitem(cloudformation_resources.HANDLERS, "AWS::IAM::User", fail)
    monkeypatch.setattr(hcl_tree.Converter, "_literal_value", fail)
    (tmp_path / "t.yaml").write_text(USER)
    (tmp_path / "main.tf").write_text("locals {\n  x = true\n}\n")
    (tmp_path / "ok.tf").write_text(TF_USER)
    result = run(tmp_path)
    assert sorted(errors(result)) == [
        ("main.tf", None, "internal error while parsing: KeyError: 'boom'"),
        ("t.yaml", 2, "internal error while reading U: KeyError: 'boom'"),
    ]
    assert {e.kind for e in result.errors} == {"internal"}
    assert findings(result) == [("IG003", "ok.tf", 1)]


# -- sizes that were quadratic in cfn-lint's constructor: each fast, with an error or a result


def cpu_scan(tmp_path: Path, template: str) -> tuple[ScanResult, float]:
    started = time.process_time()
    result = scan_one(tmp_path, "t.yaml", template)
    return result, time.process_time() - started


def test_a_mapping_with_tens_of_thousands_of_keys_is_refused_at_once(tmp_path: Path) -> None:
    keys = "".join(f"  k{i}: v\n" for i in range(40_000))
    result, seconds = cpu_scan(tmp_path, USER + "Metadata:\n" + keys)
    assert errors(result) == [
        ("t.yaml", 5, "a mapping has more than 10,000 keys; the template is not read")
    ]
    assert seconds < 3


def test_find_in_map_over_a_large_map_is_resolved_quickly(tmp_path: Path) -> None:
    rows = "".join(f"    k{i}: {{v: s3:GetObject}}\n" for i in range(9_000))
    template = (
        "Mappings:\n  M:\n"
        + rows
        + "    last: {v: 's3:*'}\n"
        + POLICY.format(action="!FindInMap [M, last, v]")
    )
    result, seconds = cpu_scan(tmp_path, template)
    assert result.errors == []
    assert findings(result) == [("IG002", "t.yaml", 9011)]
    assert seconds < 3


def test_a_one_line_list_of_half_a_million_values_is_refused_quickly(tmp_path: Path) -> None:
    template = POLICY.format(action="[" + ",".join(["a"] * 490_000) + "]")
    assert len(template) > 980_000
    result, seconds = cpu_scan(tmp_path, template)
    assert errors(result) == [("t.yaml", 8, "P: Action has more than 10,000 values")]
    assert seconds < 5

"""Bad input never raises: a broken file is one error with file:line, the scan goes on."""

from pathlib import Path

import pytest
from helpers import lines, run

from iacguard.cli import main

FINE = """\
resource "aws_iam_policy" "fine" {
  name = "fine"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }]
  })
}
"""
BROKEN = """\
resource "aws_iam_user" "half" {
  name = "half"
  tags = {
    team = "platform"
}
"""


def broken_module(directory: Path) -> Path:
    """A module with one broken file, kept out of fixtures/ so that scanning the
    fixtures stays free of errors."""
    (directory / "main.tf").write_text(FINE)
    (directory / "broken.tf").write_text(BROKEN)
    return directory


def test_a_broken_file_is_one_error_and_its_neighbours_are_still_checked(tmp_path: Path) -> None:
    result = run(broken_module(tmp_path))
    assert [(e.file, e.line, e.column, e.message) for e in result.errors] == [
        (f"{tmp_path}/broken.tf", 6, 1, "unexpected end of file")
    ]
    assert lines(result) == [f"IG002 {tmp_path}/main.tf:4:47 high aws_iam_policy.fine"]


def test_a_broken_file_exits_2_with_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(broken_module(tmp_path))]) == 2
    assert capsys.readouterr().err == f"{tmp_path}/broken.tf:6:1: error: unexpected end of file\n"


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ('resource "aws_iam_user" "x" {\n  name = "x" "y"\n}\n', 2, "unexpected '\"'"),
        ("a = [1,\n", 2, "unexpected end of file"),
        ('a = "unterminated\n', 1, "unexpected end of file"),
        ("a = @\n", 1, "unexpected '@'"),
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", None, "nested too deeply (more than 128 levels)"),
    ],
)
def test_syntax_errors_are_short_and_located(
    tmp_path: Path, source: str, line: int | None, message: str
) -> None:
    path = tmp_path / "main.tf"
    path.write_text(source)
    result = run(path)
    assert [(e.line, e.message) for e in result.errors] == [(line, message)]


def test_an_invalid_json_policy_is_an_error_inside_the_heredoc(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_policy" "p" {\n'
        "  policy = <<EOF\n"
        '{"Statement": [{"Effect": "Allow" "Action": "*"}]}\n'
        "EOF\n"
        "}\n"
    )
    result = run(tmp_path / "main.tf")
    assert [(e.line, e.column, e.message) for e in result.errors] == [
        (3, 35, "aws_iam_policy.p: the policy is not valid JSON: expected ',' or '}'")
    ]

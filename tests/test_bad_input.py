"""Bad input is an error entry with file and line, never an exception; the scan goes on."""

from pathlib import Path

import pytest
from helpers import iacguard, run

GOOD = "Resources:\n  U:\n    Type: AWS::IAM::User\n"


@pytest.mark.parametrize(
    ("name", "content", "line", "message"),
    [
        (
            "broken.yaml",
            b"Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: [\n",
            5,
            "cannot parse template: did not find expected node content",
        ),
        (
            "binary.yaml",
            b"\x00\x01AWS::IAM::Role\xff\xfe",
            None,
            "binary file (contains NUL bytes), not text",
        ),
        ("latin1.yaml", b"Resources: {}\n# caf\xe9 AWS::IAM::Role\n", 2, "not valid UTF-8 text"),
        (
            "duplicate.yaml",
            b"Resources:\n  A:\n    Type: AWS::IAM::User\n  A:\n    Type: AWS::IAM::User\n",
            2,
            "cannot parse template: Duplicate found 'A' (line 2)",
        ),
        (
            "shape.yaml",
            b"Resources:\n  R:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
            b"      PolicyDocument:\n        Statement: [42]\n",
            6,
            "R: a Statement must be a mapping, not a number",
        ),
    ],
)
def test_one_error_entry_per_bad_file_and_the_rest_is_scanned(
    tmp_path: Path, name: str, content: bytes, line: int | None, message: str
) -> None:
    (tmp_path / name).write_bytes(content)
    (tmp_path / "good.yaml").write_text(GOOD)
    result = run(tmp_path)
    assert [(Path(e.file).name, e.line, e.message) for e in result.errors] == [
        (name, line, message)
    ]
    found = [(f.rule_id, Path(f.location.file).name, f.location.line) for f in result.findings]
    assert found == [("IG003", "good.yaml", 2)]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.yaml", b""),
        ("kubernetes.yaml", b"apiVersion: v1\nkind: ConfigMap\n"),
        ("package.json", b'{"name": "x", "version": "1.0.0"}'),
        ("list.yaml", b"- AWS::IAM::Role\n- b\n"),
        ("scalar.json", b'"AWS::IAM::Role"'),
    ],
)
def test_files_that_are_not_cloudformation_are_skipped(
    tmp_path: Path, name: str, content: bytes
) -> None:
    (tmp_path / name).write_bytes(content)
    result = run(tmp_path)
    assert (result.errors, result.findings, [Path(f).name for f in result.skipped]) == (
        [],
        [],
        [name],
    )


def test_a_missing_path_is_an_error() -> None:
    result = run("no/such/dir")
    assert [(e.file, e.message) for e in result.errors] == [
        ("no/such/dir", "no such file or directory")
    ]


def test_a_broken_template_named_on_the_command_line_is_reported_even_without_iam(
    tmp_path: Path,
) -> None:
    """A file the user names is read whatever it holds; in a directory, a template
    without any IAM type is skipped without being decoded."""
    (tmp_path / "infra").mkdir()
    broken = tmp_path / "infra" / "bucket.yaml"
    broken.write_text(
        'AWSTemplateFormatVersion: "2010-09-09"\n'
        "Resources:\n"
        "  Bucket:\n"
        "    Type: AWS::S3::Bucket\n"
        "    Properties: {BucketName: [unclosed\n"
    )
    named = iacguard("check", "infra/bucket.yaml", cwd=tmp_path)
    assert (named.returncode, named.stdout, named.stderr) == (
        2,
        "No findings in 0 files scanned; 1 error.\n",
        "infra/bucket.yaml:6:1: error: cannot parse template: did not find expected ',' or ']'\n",
    )
    walked = iacguard("check", "infra", cwd=tmp_path)
    assert (walked.returncode, walked.stdout, walked.stderr) == (
        0,
        "No findings in 0 files scanned, 1 skipped.\n",
        "",
    )

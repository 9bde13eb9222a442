"""Random policy documents and random mutations of the fixtures, through both parsers and
every check: the engine returns findings or error entries and never raises, the JSON
output stays valid, and the same input gives the same output.

Bounded for CI: each property runs a fixed set of 120 examples (a few seconds each)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iacguard.config import Config
from iacguard.engine import scan
from iacguard.report import json as json_report
from iacguard.report import sarif, text

# IACGUARD_PROPERTY_EXAMPLES=5000 explores further, with fresh random examples each run.
EXAMPLES = int(os.environ.get("IACGUARD_PROPERTY_EXAMPLES", "0"))
SETTINGS = settings(
    max_examples=EXAMPLES or 120,
    deadline=None,
    derandomize=not EXAMPLES,  # by default the same examples in every run: CI is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# -- random policy documents --------------------------------------------------------------

words = st.sampled_from(
    ["*", "s3:*", "s3:Get*", "iam:PassRole", "ec2:?tart*", "", "Allow", "Deny", "arn:aws:s3:::b/*"]
)
text_values = st.one_of(words, st.text(max_size=12))
scalars = st.one_of(
    text_values,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(words, st.text(max_size=6)), inner, max_size=4),
    ),
    max_leaves=12,
)
keys = st.sampled_from(
    ["Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "Condition", "Sid"]
)
statements = st.one_of(
    st.dictionaries(
        keys, st.one_of(text_values, st.lists(text_values, max_size=3), values), max_size=6
    ),
    values,
)
documents = st.one_of(
    st.fixed_dictionaries(
        {
            "Version": st.just("2012-10-17"),
            "Statement": st.one_of(st.lists(statements, max_size=3), statements),
        }
    ),
    values,
)


SCAN_DIRECTORY: list[Path] = []  # this run's own directory, set by the fixture below


@pytest.fixture(autouse=True, scope="module")
def _scan_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A directory of this test run's own (hypothesis calls a test many times, so not a
    fresh tmp_path per example): concurrent runs never collide."""
    SCAN_DIRECTORY.append(tmp_path_factory.mktemp("property-based") / "scan")
    yield
    SCAN_DIRECTORY.clear()


def scan_files(files: dict[str, str | bytes]) -> tuple[str, str, str]:
    """The JSON, text and SARIF outputs of a scan of ``files`` (written to a fresh
    directory); every output must be produced without an exception."""
    (directory,) = SCAN_DIRECTORY  # one place: paths (and fingerprints) are the same each time
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    try:
        for name, content in files.items():
            path = directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                path.write_text(content, encoding="utf-8")
            else:
                path.write_bytes(content)
        result = scan([str(directory)], Config())
        outputs = (json_report.render(result), text.render(result), sarif.render(result))
    finally:
        shutil.rmtree(directory)
    return tuple(o.replace(str(directory), "<dir>") for o in outputs)  # type: ignore[return-value]


def assert_sound(files: dict[str, str | bytes]) -> dict[str, Any]:
    first = scan_files(files)
    assert scan_files(files) == first  # the same input gives the same output
    document: dict[str, Any] = json.loads(first[0])
    json.loads(first[2])
    for output in first:
        output.encode("utf-8")  # no lone surrogate, whatever bytes the input held
    return document


def cloudformation(document: Any, style: str) -> str:
    template = {
        "Resources": {
            "Policy": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {"PolicyDocument": document},
            },
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {"AssumeRolePolicyDocument": document, "MaxSessionDuration": 3600},
            },
        }
    }
    if style == "json":
        return json.dumps(template)
    return yaml.safe_dump(template, allow_unicode=True)


def hcl_value(value: Any) -> str:
    """``value`` as an HCL expression (for jsonencode)."""
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{json.dumps(str(k))} = {hcl_value(v)}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, list):
        return "[" + ", ".join(hcl_value(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value).replace("${", "$${").replace("%{", "%%{")
    return repr(value)


def terraform(document: Any, style: str) -> str:
    if style == "jsonencode":
        policy = f"jsonencode({hcl_value(document)})"
    else:
        body = json.dumps(document, indent=2).replace("${", "$${").replace("%{", "%%{")
        policy = f"<<EOF\n{body}\nEOF"
    return (
        f'resource "aws_iam_policy" "p" {{\n  name = "p"\n  policy = {policy}\n}}\n'
        f'resource "aws_iam_role" "r" {{\n  name = "r"\n  assume_role_policy = {policy}\n}}\n'
    )


@pytest.mark.slow  # many generated scans
@SETTINGS
@given(document=documents, style=st.sampled_from(["yaml", "json"]))
def test_random_policy_documents_in_cloudformation(document: Any, style: str) -> None:
    name = "template.json" if style == "json" else "template.yaml"
    assert_sound({name: cloudformation(document, style)})


@pytest.mark.slow  # many generated scans
@SETTINGS
@given(document=documents, style=st.sampled_from(["jsonencode", "heredoc"]))
def test_random_policy_documents_in_terraform(document: Any, style: str) -> None:
    assert_sound({"main.tf": terraform(document, style)})


def test_a_generated_wildcard_is_found_in_both_formats() -> None:
    """The generators' documents reach the checks (a property that only ever sees
    errors would prove nothing)."""
    document = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    for files in (
        {"t.yaml": cloudformation(document, "yaml")},
        {"t.json": cloudformation(document, "json")},
        {"main.tf": terraform(document, "jsonencode")},
        {"main.tf": terraform(document, "heredoc")},
    ):
        found = assert_sound(files)
        assert found["errors"] == []
        assert {f["rule_id"] for f in found["findings"]} >= {"IG002"}


# -- random mutations of the fixtures ----------------------------------------------------------

FIXTURE_FILES = sorted(
    p
    for p in FIXTURES.rglob("*")
    if p.is_file() and p.name.endswith((".yaml", ".yml", ".json", ".tf", ".tfvars"))
)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(st.sampled_from(FIXTURE_FILES))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        kind = draw(
            st.sampled_from(["flip", "delete-line", "duplicate-line", "truncate", "insert"])
        )
        lines = bytes(data).split(b"\n")
        if kind == "flip" and data:
            at = draw(st.integers(min_value=0, max_value=len(data) - 1))
            data[at] = draw(st.integers(min_value=0, max_value=255))
        elif kind == "delete-line" and len(lines) > 1:
            del lines[draw(st.integers(min_value=0, max_value=len(lines) - 1))]
            data = bytearray(b"\n".join(lines))
        elif kind == "duplicate-line" and lines:
            at = draw(st.integers(min_value=0, max_value=len(lines) - 1))
            lines.insert(at, lines[at])
            data = bytearray(b"\n".join(lines))
        elif kind == "truncate" and data:
            data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
        elif kind == "insert":
            at = draw(st.integers(min_value=0, max_value=len(data)))
            piece = draw(
                st.sampled_from(
                    [
                        b"[",
                        b"{",
                        b"}",
                        b'"',
                        b"${",
                        b"!If [",
                        b"&a ",
                        b"*a",
                        b"- ",
                        b"\t",
                        b"\r",
                        b"\x00",
                        b"\xff",
                        b"%{",
                    ]
                )
            )
            data[at:at] = piece
    suffix = "".join(path.suffixes[-2:]) if path.name.endswith(".tf.json") else path.suffix
    return f"mutated{suffix}", bytes(data)


@pytest.mark.slow  # many generated scans
@SETTINGS
@given(case=mutated())
def test_mutated_fixtures_never_break_the_engine(case: tuple[str, bytes]) -> None:
    name, content = case
    assert_sound({name: content})


@pytest.mark.slow  # every fixture on its own, scanned twice (a quick test scans fixtures/)
def test_every_fixture_as_it_is_gives_no_error() -> None:
    found = assert_sound(
        {
            f"{i}/{p.name}": p.read_bytes()
            for i, p in enumerate(FIXTURE_FILES)
            if p.suffix != ".tfvars"
        }
    )
    assert found["errors"] == []

"""The Terraform pre-filter: module directories that cannot change a finding are not
parsed, and no finding changes (compared with the full scan)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import FIXTURE_SAMPLE, ROOT, run
from speed_helpers import generated_corpus, scan_json

from iacguard.config import Config
from iacguard.engine import scan
from iacguard.findings import ScanResult
from iacguard.parsing import ScanOptions
from iacguard.prefilter import may_matter


def full_and_filtered(
    paths: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[ScanResult, ScanResult]:
    monkeypatch.chdir(cwd)
    full = scan(paths, Config(), options=ScanOptions(prefilter=False, cache=False))
    filtered = scan(paths, Config(), options=ScanOptions(cache=False))
    return full, filtered


TARGETS = {"sample": list(FIXTURE_SAMPLE), "fixtures": ["fixtures"], "corpus": ["."]}


@pytest.mark.parametrize(
    "target",
    [
        "sample",
        pytest.param("fixtures", marks=pytest.mark.slow),
        pytest.param("corpus", marks=pytest.mark.slow),
    ],
)
def test_the_prefilter_changes_no_finding(target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cwd = generated_corpus() if target == "corpus" else ROOT
    full, filtered = full_and_filtered(TARGETS[target], cwd, monkeypatch)
    assert full.findings
    assert filtered.findings == full.findings
    assert filtered.errors == full.errors
    assert filtered.unused_suppressions == full.unused_suppressions
    # Only what parsing a directory without IAM shows is gone: its resources' count
    # and for_each that cannot be resolved, which no check reads.
    left_out = set(filtered.skipped) - set(full.skipped)
    assert filtered.unresolved == [u for u in full.unresolved if u.file not in left_out]
    assert len(filtered.scanned) + len(filtered.skipped) == len(full.scanned) + len(full.skipped)
    if target == "corpus":
        assert left_out, "the corpus has Terraform modules without IAM"
        assert all(not f.startswith("cloudformation/") for f in left_out)


def test_a_module_without_iam_called_by_one_with_iam_is_read(tmp_path: Path) -> None:
    (tmp_path / "names").mkdir()
    (tmp_path / "names/outputs.tf").write_text('output "actions" {\n  value = ["*"]\n}\n')
    (tmp_path / "root").mkdir()
    (tmp_path / "root/main.tf").write_text(
        'module "names" {\n  source = "../names"\n}\n\n'
        'resource "aws_iam_policy" "p" {\n  policy = jsonencode({\n'
        '    Statement = [{ Effect = "Allow", Action = module.names.actions, Resource = "*" }]\n'
        "  })\n}\n"
    )
    result = run(tmp_path)
    assert [(f.rule_id, f.location.file.endswith("outputs.tf")) for f in result.findings] == [
        ("IG002", True),
        ("IG008", True),
        ("IG009", True),
    ]
    assert result.skipped == []


def test_a_module_without_iam_is_skipped_unread(tmp_path: Path) -> None:
    (tmp_path / "vpc").mkdir()
    (tmp_path / "vpc/main.tf").write_text(
        'resource "aws_vpc" "this" {\n  cidr_block = "10.0.0.0/16"\n'
    )
    result = run(tmp_path)  # the missing brace is never seen: the file is not parsed
    assert (result.errors, result.scanned, result.skipped) == ([], [], [f"{tmp_path}/vpc/main.tf"])


@pytest.mark.parametrize(
    ("text", "matters"),
    [
        ('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n', False),
        ('resource "aws_iam_role" "r" {}\n', True),
        ('data "aws_iam_policy_document" "d" {}\n', True),
        ('resource "aws_ssoadmin_permission_set" "p" {}\n', True),
        ('module "vpc" {\n  source = "./vpc"\n}\n', True),
        ('{"module": {"vpc": {"source": "./vpc"}}}', True),
        ('locals {\n  zip = "${path.module}/build.zip"\n  id = module.vpc.id\n}\n', False),
        ("# iacguard: ignore[IG003] reviewed\n", True),
        ('resource "aws\\u005fiam_role" "r" {}\n', True),
        ('resource "aws_s3_bucket_policy" "b" {}\n', True),
        ('resource "aws_sqs_queue_policy" "q" {}\n', True),
        ('resource "aws_kms_key" "k" {}\n', True),
        ('resource "aws_opensearch_domain" "d" {}\n', True),
        ('resource "aws_lambda_permission" "p" {}\n', True),
        ('resource "aws_sqs_queue" "q" {\n  name = "orders"\n}\n', False),
    ],
)
def test_what_may_matter(text: str, matters: bool) -> None:
    assert may_matter(text) is matters


@pytest.mark.slow  # generates and scans the benchmark corpus
def test_the_benchmark_corpus_is_valid_iac() -> None:
    """The generator writes what real repositories hold: findings, but nothing iacguard
    has to report as broken (benchmarks would otherwise time error paths)."""
    result = scan_json(".", "--no-cache", cwd=generated_corpus(files=400, seed=3))
    assert result["errors"] == []
    # the rules the generator writes cases for; a new rule may add its own
    assert {f["rule_id"] for f in result["findings"]} >= {
        "IG001",
        "IG002",
        "IG003",
        "IG004",
        "IG005",
        "IG007",
        "IG008",
        "IG009",
        "IG014",
        "IG015",
        "IG017",
    }

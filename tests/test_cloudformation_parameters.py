"""``--parameters`` gives CloudFormation parameter values over the templates' defaults, as
``--var-file`` does for Terraform: a file in the AWS CLI's form, or Key=Value."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import iacguard

from iacguard.config import Config
from iacguard.engine import scan
from iacguard.parsing import ScanOptions

F = "fixtures/cloudformation/parameters_override"
FINDING = f"{F}.yaml:32:25  HIGH  IG002  PipelineRole  Statement #1 allows s3:* (every s3 action)"


def test_the_defaults_are_checked_without_parameters() -> None:
    done = iacguard("check", f"{F}.yaml", "--no-cache", "--show-unresolved")
    assert (done.returncode, done.stdout.splitlines()) == (
        0,
        [  # Environment has no default: what it builds is not known without --parameters
            f"{F}.yaml:33: unresolved: PipelineRole: "
            "!Sub arn:aws:s3:::${ArtifactBucket}-${Environment}/*: Resource cannot be resolved",
            "No findings in 1 file scanned.",
            "1 value could not be resolved; see --format json or --show-unresolved.",
        ],
    )


def test_a_parameters_file_overrides_the_defaults() -> None:
    done = iacguard("check", f"{F}.yaml", "--parameters", f"{F}.params.json", "--no-cache")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        FINDING,
        "IG002 wildcard-action: how to fix: iacguard explain IG002, "
        "https://github.com/your-org/iacguard/blob/v0.1.0/docs/rules.md#wildcard-action",
        "1 finding (1 high) in 1 file scanned.",
    ]


def test_json_output_names_the_resource_and_the_line() -> None:
    import json

    done = iacguard(
        "check", f"{F}.yaml", "--parameters", f"{F}.params.json", "--format", "json", "--no-cache"
    )
    (finding,) = json.loads(done.stdout)["findings"]
    assert (finding["rule_id"], finding["file"], finding["line"], finding["resource"]) == (
        "IG002",
        f"{F}.yaml",
        32,
        "PipelineRole",
    )


def test_key_value_pairs_come_after_the_file_and_win() -> None:
    narrow = "PipelineActions=s3:GetObject,s3:ListBucket"
    done = iacguard(
        "check", f"{F}.yaml", "--parameters", f"{F}.params.json", "--parameters", narrow
    )
    assert (done.returncode, done.stdout) == (0, "No findings in 1 file scanned.\n")
    wide = iacguard("check", f"{F}.yaml", "--parameters", "PipelineActions=s3:*")
    assert wide.stdout.splitlines()[0] == FINDING


def test_the_cache_keeps_one_result_per_set_of_parameter_values(tmp_path: Path) -> None:
    options = ScanOptions(cache_directory=tmp_path, jobs=1)
    found = []
    for values in [(), (("PipelineActions", "s3:*"),), ()]:
        result = scan([f"{F}.yaml"], Config(parameters=values), options=options)
        found.append([(f.rule_id, f.location.line, f.resource) for f in result.findings])
    assert found == [[], [("IG002", 32, "PipelineRole")], []]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('[\n  {"ParameterKey": "A",\n   "ParameterValue" 1}\n]', "bad.json:3: not valid JSON: "),
        ('{"Parameters": {"A": "b"}}', 'bad.json: expected a list of {"ParameterKey"'),
        ('[{"ParameterKey": "A"}]', "bad.json: entry 1: expected a list of"),
    ],
)
def test_a_bad_parameters_file_is_a_one_line_error(tmp_path: Path, text: str, error: str) -> None:
    (tmp_path / "bad.json").write_text(text)
    template = Path(F + ".yaml").resolve()
    done = iacguard("check", str(template), "--parameters", "bad.json", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"iacguard: error: {error}")
    assert len(done.stderr.splitlines()) == 1


def test_a_missing_file_and_an_empty_key_are_errors() -> None:
    missing = iacguard("check", f"{F}.yaml", "--parameters", "nowhere.json")
    assert (missing.returncode, missing.stderr) == (
        2,
        "iacguard: error: nowhere.json: no such parameters file\n",
    )
    empty = iacguard("check", f"{F}.yaml", "--parameters", "=s3:*")
    assert (empty.returncode, empty.stderr) == (
        2,
        "iacguard: error: --parameters =s3:*: expected Key=Value or a file\n",
    )

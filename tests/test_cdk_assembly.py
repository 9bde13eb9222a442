"""CDK cloud assemblies: ``cdk.out`` is read through its manifest (each stack and nested
stack template once, nothing else of it), findings name the construct that defined their
resource in every format, and a broken or hostile manifest costs only what it names."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import FIXTURES, git, git_alone, iacguard, run
from report_helpers import validate_sarif
from test_report_formats import json_schema, schema_errors

from iacguard.findings import ScanResult
from iacguard.report import github, sarif
from iacguard.report.json import render as render_json

PROJECT = "fixtures/cloudformation/cdk"
ASSEMBLY = f"{PROJECT}/cdk.out"
STACK = f"{ASSEMBLY}/ReportsStack.template.json"
NESTED = f"{ASSEMBLY}/ReportsStackAuditC3A5B4E1.nested.template.json"
FUNCTION_POLICY = "ExportFunctionServiceRoleDefaultPolicy5B7E1F0C"

# rule, file:line:column, resource, construct path: what every format shows of each finding
FINDINGS = [
    (
        "IG002",
        f"{STACK}:78:9",
        FUNCTION_POLICY,
        "ReportsStack/ExportFunction/ServiceRole/DefaultPolicy/Resource",
    ),
    (
        "IG008",
        f"{STACK}:142:18",
        FUNCTION_POLICY,
        "ReportsStack/ExportFunction/ServiceRole/DefaultPolicy/Resource",
    ),
    ("IG012", f"{NESTED}:17:16", "AuditorRole8B0C2D4E", "ReportsStack/Audit/Auditor/Resource"),
    (
        "IG002",
        f"{NESTED}:46:9",
        "AuditorRoleDefaultPolicy3F6A9C1B",
        "ReportsStack/Audit/Auditor/DefaultPolicy/Resource",
    ),
]


def shown(result: ScanResult) -> list[tuple[str, str, str, str | None]]:
    return [
        (
            f.rule_id,
            f"{f.location.file}:{f.location.line}:{f.location.column}",
            f.resource,
            f.construct_path,
        )
        for f in result.findings
    ]


@pytest.mark.parametrize("path", [PROJECT, ASSEMBLY])
def test_the_stack_and_its_nested_stack_are_read_through_the_manifest(path: str) -> None:
    result = run(path)
    assert result.errors == []
    assert sorted(result.scanned) == [STACK, NESTED]
    # the assembly's directory is walked as any other (a manifest.json never hides what
    # is beside it); the manifests were read by the assembly's reader, the construct tree
    # and the Lambda code's package.json are not templates
    assert result.skipped == [
        f"{ASSEMBLY}/tree.json",
        f"{ASSEMBLY}/asset.4f3c6e2a1b0d9c8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e/package.json",
    ]
    assert shown(result) == FINDINGS
    # the nested stack's bucket ARN is a parameter its parent fills with its bucket
    assert result.unresolved == []


def test_a_template_named_beside_its_assembly_is_read_once() -> None:
    result = run(STACK, ASSEMBLY, NESTED)
    assert sorted(result.scanned) == [STACK, NESTED]
    assert shown(result) == FINDINGS


def test_the_text_output_shows_the_construct_path_beside_the_resource() -> None:
    done = iacguard("check", PROJECT, "--no-cache")
    assert done.returncode == 1
    assert done.stdout.splitlines()[1] == (
        f"{STACK}:142:18  HIGH  IG008  {FUNCTION_POLICY} "
        "(ReportsStack/ExportFunction/ServiceRole/DefaultPolicy/Resource)  Statement #3 "
        'allows iam:PassRole on every role (Resource "*") to any service (no '
        "iam:PassedToService condition)"
    )


def test_json_adds_the_construct_path_to_each_finding() -> None:
    document = json.loads(render_json(run(PROJECT)))
    assert schema_errors(json_schema(), document) == []
    assert [
        (f["rule_id"], f"{f['file']}:{f['line']}:{f['column']}", f["resource"], f["construct_path"])
        for f in document["findings"]
    ] == FINDINGS


def test_a_finding_without_a_construct_has_no_construct_path_in_json() -> None:
    document = json.loads(render_json(run("fixtures/cloudformation/report")))
    assert document["findings"]
    assert all("construct_path" not in f for f in document["findings"])


def test_sarif_names_the_resource_and_its_construct_as_a_logical_location() -> None:
    log = json.loads(sarif.render(run(PROJECT)))
    validate_sarif(log)
    assert [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["logicalLocations"],
            r["properties"]["constructPath"],
        )
        for r in log["runs"][0]["results"]
    ] == [
        (
            rule,
            where.split(":")[0],
            int(where.split(":")[1]),
            [{"name": resource, "fullyQualifiedName": construct, "kind": "resource"}],
            construct,
        )
        for rule, where, resource, construct in FINDINGS
    ]


def test_github_annotations_name_the_construct() -> None:
    annotations = github.render(run(PROJECT)).splitlines()
    assert (
        f"::error file={STACK},line=142,endLine=142,col=18,title=IG008 passrole-unscoped "
        '(high)::Statement #3 allows iam:PassRole on every role (Resource "*") to any service '
        "(no iam:PassedToService condition) "
        "(construct ReportsStack/ExportFunction/ServiceRole/DefaultPolicy/Resource)"
    ) in annotations


# -- where the assembly is, and .gitignore ------------------------------------------------


def copy(tmp_path: Path) -> Path:
    """The fixture's assembly as ``tmp_path/app/cdk.out``; returns it."""
    target = tmp_path / "app" / "cdk.out"
    shutil.copytree(FIXTURES / "cloudformation" / "cdk" / "cdk.out", target)
    return target


def edit_manifest(assembly: Path, change: Any) -> None:
    path = assembly / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest, indent=2) + "\n")


def test_an_assembly_that_gitignore_lists_is_read_all_the_same(tmp_path: Path) -> None:
    """CDK projects ignore cdk.out: it is generated. It is also all iacguard can read of
    them, so ``iacguard check .`` after ``cdk synth`` reads it, as naming it does."""
    copy(tmp_path)
    (tmp_path / "app" / ".gitignore").write_text("cdk.out\nignored/\n")
    ignored = tmp_path / "app" / "ignored"
    shutil.copytree(tmp_path / "app" / "cdk.out", ignored)
    (ignored / "cdk.out").unlink()
    (ignored / "tree.json").unlink()  # no marker: not an assembly, so ignored as any directory
    for path in (".", "cdk.out"):
        done = iacguard("check", path, "--format", "json", "--no-cache", cwd=tmp_path / "app")
        document = json.loads(done.stdout)
        assert document["errors"] == []
        assert sorted({f["file"] for f in document["findings"]}) == [
            "cdk.out/ReportsStack.template.json",
            "cdk.out/ReportsStackAuditC3A5B4E1.nested.template.json",
        ]


def test_a_manifest_json_that_is_no_cloud_assembly_leaves_its_directory_to_the_walk(
    tmp_path: Path,
) -> None:
    (tmp_path / "manifest.json").write_text('{"name": "web app", "icons": []}\n')
    (tmp_path / "tree.json").write_text("{}\n")
    shutil.copy(
        FIXTURES / "cloudformation" / "cdk" / "cdk.out" / "ReportsStack.template.json", tmp_path
    )
    result = run(tmp_path)
    assert result.errors == []
    assert result.scanned == [f"{tmp_path}/ReportsStack.template.json"]


def test_an_assembly_of_a_stage_is_read_through_the_manifest_that_names_it(
    tmp_path: Path,
) -> None:
    assembly = copy(tmp_path)
    stage = assembly / "assembly-Prod"
    shutil.copytree(assembly, stage, ignore=shutil.ignore_patterns("assembly-*"))

    def add_stage(manifest: dict[str, Any]) -> None:
        manifest["artifacts"]["assembly-Prod"] = {
            "type": "cdk:cloud-assembly",
            "properties": {"directoryName": "assembly-Prod", "displayName": "Prod"},
        }

    edit_manifest(assembly, add_stage)
    result = run(assembly)
    assert result.errors == []
    assert sorted(os.path.relpath(f, assembly) for f in result.scanned) == [
        "ReportsStack.template.json",
        "ReportsStackAuditC3A5B4E1.nested.template.json",
        "assembly-Prod/ReportsStack.template.json",
        "assembly-Prod/ReportsStackAuditC3A5B4E1.nested.template.json",
    ]


def test_a_nested_stack_is_found_by_its_asset_path_without_the_asset_manifest(
    tmp_path: Path,
) -> None:
    assembly = copy(tmp_path)
    edit_manifest(assembly, lambda m: m["artifacts"].pop("ReportsStack.assets"))
    result = run(assembly)
    assert sorted(os.path.relpath(f, assembly) for f in result.scanned) == [
        "ReportsStack.template.json",
        "ReportsStackAuditC3A5B4E1.nested.template.json",
    ]


def test_a_nested_stack_is_found_through_the_asset_manifest_without_asset_metadata(
    tmp_path: Path,
) -> None:
    """``cdk synth --no-asset-metadata`` and integration test snapshots have no
    ``aws:asset:path``: the asset manifest still lists the nested template."""
    assembly = copy(tmp_path)
    template = assembly / "ReportsStack.template.json"
    template.write_text(template.read_text().replace('"aws:asset:path"', '"x-asset-path"'))
    result = run(assembly)
    assert result.errors == []
    assert len(result.scanned) == 2


# -- broken and hostile manifests ---------------------------------------------------------


def test_a_broken_manifest_is_an_error_with_its_line_and_the_scan_goes_on(
    tmp_path: Path,
) -> None:
    assembly = copy(tmp_path)
    (assembly / "manifest.json").write_text('{\n  "version": "36.0.0",\n  "artifacts": {\n')
    (tmp_path / "app" / "other.yaml").write_text(
        "Resources:\n  Admin:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        "      PolicyDocument:\n        Statement:\n"
        "          - {Effect: Allow, Action: '*', Resource: '*'}\n"
    )
    done = iacguard("check", ".", "--no-cache", cwd=tmp_path / "app")
    assert done.returncode == 2
    assert (
        "cdk.out/manifest.json:4: error: not a cloud assembly manifest: Expecting property "
        "name enclosed in double quotes"
    ) in done.stderr
    assert "other.yaml:7:" in done.stdout  # the rest of the scan goes on


@pytest.mark.parametrize(
    ("template_file", "why"),
    [
        ("Missing.template.json", "Missing.template.json does not exist; run `cdk synth` again"),
        ("../outside.template.json", "../outside.template.json is outside the cloud assembly"),
        ("/etc/outside.template.json", "/etc/outside.template.json is outside the cloud assembly"),
        ("linked.template.json", "linked.template.json is outside the cloud assembly"),
    ],
)
def test_a_manifest_never_reads_outside_its_assembly(
    tmp_path: Path, template_file: str, why: str
) -> None:
    assembly = copy(tmp_path)
    outside = tmp_path / "app" / "outside.template.json"
    outside.write_text((assembly / "ReportsStack.template.json").read_text())
    (assembly / "linked.template.json").symlink_to(outside)

    def add_stack(manifest: dict[str, Any]) -> None:
        manifest["artifacts"]["Other"] = {
            "type": "aws:cloudformation:stack",
            "properties": {"templateFile": template_file},
        }

    edit_manifest(assembly, add_stack)
    line = (
        (assembly / "manifest.json")
        .read_text()
        .splitlines()
        .index(f'        "templateFile": {json.dumps(template_file)}')
    )
    result = run(assembly)
    assert [(e.file, e.line, e.message) for e in result.errors] == [
        (f"{assembly}/manifest.json", line + 1, f"{why}; not read" if "outside" in why else why)
    ]
    assert sorted(os.path.relpath(f, assembly) for f in result.scanned) == [
        "ReportsStack.template.json",
        "ReportsStackAuditC3A5B4E1.nested.template.json",
    ]


def test_a_nested_stack_whose_template_is_missing_is_an_error_at_its_asset_path(
    tmp_path: Path,
) -> None:
    assembly = copy(tmp_path)
    edit_manifest(assembly, lambda m: m["artifacts"].pop("ReportsStack.assets"))
    (assembly / "ReportsStackAuditC3A5B4E1.nested.template.json").unlink()
    result = run(assembly)
    lines = (assembly / "ReportsStack.template.json").read_text().splitlines()
    line = next(
        i for i, text in enumerate(lines, 1) if '"aws:asset:path": "ReportsStackAudit' in text
    )
    assert [(e.file, e.line, e.message) for e in result.errors] == [
        (
            f"{assembly}/ReportsStack.template.json",
            line,
            "ReportsStackAuditC3A5B4E1.nested.template.json does not exist; run `cdk synth` again",
        )
    ]
    assert [os.path.relpath(f, assembly) for f in result.scanned] == ["ReportsStack.template.json"]


def test_an_artifact_without_its_template_file_is_an_error_naming_it(tmp_path: Path) -> None:
    assembly = copy(tmp_path)
    edit_manifest(
        assembly, lambda m: m["artifacts"]["ReportsStack"]["properties"].pop("templateFile")
    )
    result = run(assembly)
    assert [(e.line, e.message) for e in result.errors] == [
        (12, "artifact ReportsStack (aws:cloudformation:stack) has no templateFile")
    ]
    # the asset manifest still names the templates
    assert len(result.scanned) == 2


def test_exclude_in_the_configuration_leaves_an_assembly_out(tmp_path: Path) -> None:
    copy(tmp_path)
    (tmp_path / "app" / ".iacguard.yaml").write_text("exclude: [cdk.out]\n")
    done = iacguard("check", ".", "--format", "json", "--no-cache", cwd=tmp_path / "app")
    document = json.loads(done.stdout)
    assert (document["findings"], document["errors"]) == ([], [])
    assert document["summary"]["files_scanned"] == 0


def test_a_manifest_that_links_out_of_the_assembly_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iacguard.parsers import cdk_assembly, source

    assembly = copy(tmp_path)
    elsewhere = tmp_path / "elsewhere.json"
    (assembly / "manifest.json").rename(elsewhere)
    (assembly / "manifest.json").symlink_to(elsewhere)
    heads: list[Path] = []  # not even its first bytes, to tell whether it is a manifest
    monkeypatch.setattr(
        cdk_assembly,
        "read_head",
        lambda path, size: heads.append(path) or source.read_head(path, size),
    )
    result = run(assembly)
    assert heads == []
    assert [(e.file, e.message) for e in result.errors] == [
        (f"{assembly}/manifest.json", "a link out of the cloud assembly; not read")
    ]
    # its templates are still read, as templates found in a directory
    assert sorted(result.scanned) == [
        f"{assembly}/ReportsStack.template.json",
        f"{assembly}/ReportsStackAuditC3A5B4E1.nested.template.json",
    ]


@pytest.mark.parametrize(
    ("manifest", "error"),
    [
        (
            {
                "artifacts": {
                    "S": {
                        "type": "aws:cloudformation:stack",
                        "properties": {"templateFile": "a\u0000b"},
                    }
                }
            },
            (1, "a\x00b cannot be read: embedded null byte"),
        ),
        (
            {
                "artifacts": {
                    "S": {
                        "type": "aws:cloudformation:stack",
                        "properties": {"templateFile": "a" * 5000},
                    }
                }
            },
            (1, f"{'a' * 117}... cannot be read: File name too long"),
        ),
        (
            {
                "artifacts": {
                    "S": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "."}}
                }
            },
            (1, ". is not a file"),
        ),
        ({"artifacts": []}, (1, "artifacts must be a mapping")),
        # an artifact of no known type, a stage that is the assembly itself: nothing to read
        (
            {
                "artifacts": {
                    "S": {"type": ["x"]},
                    "T": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "."}},
                }
            },
            None,
        ),
        (
            '{"version": "36.0.0", "artifacts": ' + "[" * 100_000 + "]" * 100_000 + "}",
            (None, "nested too deeply (more than 128 levels)"),
        ),
    ],
)
def test_a_hostile_manifest_is_an_error_not_a_crash(
    tmp_path: Path, manifest: Any, error: tuple[int | None, str] | None
) -> None:
    (tmp_path / "cdk.out").write_text('{"version": "36.0.0"}')
    text = manifest if isinstance(manifest, str) else json.dumps({"version": "36.0.0", **manifest})
    (tmp_path / "manifest.json").write_text(text)
    result = run(tmp_path)
    assert [(e.line, e.message) for e in result.errors] == ([error] if error else [])
    assert result.scanned == []


def test_a_literal_the_parent_stack_passes_is_the_nested_parameter_value(
    tmp_path: Path,
) -> None:
    """The Auditor may write to the bucket its parent passes: scoped. Passed ``*``
    instead, the same statement writes anywhere."""
    assembly = copy(tmp_path)
    child = assembly / "ReportsStackAuditC3A5B4E1.nested.template.json"
    child.write_text(child.read_text().replace('"s3:List*"', '"s3:PutObject"'))
    assert [f.rule_id for f in run(assembly).findings if f.location.file == str(child)] == [
        "IG012",
        "IG002",
    ]
    parent = assembly / "ReportsStack.template.json"
    template = json.loads(parent.read_text())
    nested = template["Resources"]["AuditNestedStackAuditNestedStackResource1E2F3A4B"]
    nested["Properties"]["Parameters"]["referencetoReportsStackReportsBucket4E0F8A1DArn"] = "*"
    parent.write_text(json.dumps(template, indent=1))
    result = run(assembly)
    assert result.unresolved == []
    assert [
        (f.rule_id, f.location.line, f.message)
        for f in result.findings
        if f.location.file == str(child) and f.rule_id == "IG007"
    ] == [
        (
            "IG007",
            48,
            'Statement #1 grants 1 Write action on any resource (Resource "*") through '
            "s3:PutObject",
        )
    ]


def test_a_template_named_on_its_own_shows_its_construct_paths_too() -> None:
    result = run("fixtures/cloudformation/wildcard-action/positive_cdk_output.json")
    assert shown(result) == [
        (
            "IG002",
            "fixtures/cloudformation/wildcard-action/positive_cdk_output.json:56:18",
            "DeployRoleDefaultPolicy2B7C8E1A",
            "PipelineStack/DeployRole/DefaultPolicy/Resource",
        )
    ]


def test_an_asset_manifest_naming_a_missing_template_is_an_error_at_its_line(
    tmp_path: Path,
) -> None:
    assembly = copy(tmp_path)
    edit_manifest(assembly, lambda m: m["artifacts"]["ReportsStack"].pop("properties"))
    (assembly / "ReportsStack.template.json").unlink()
    assets = (assembly / "ReportsStack.assets.json").read_text().splitlines()
    line = assets.index('        "path": "ReportsStack.template.json",') + 1
    result = run(assembly)
    assert [(e.file, e.line, e.message) for e in result.errors] == [
        (
            f"{assembly}/ReportsStack.assets.json",
            line,
            "ReportsStack.template.json does not exist; run `cdk synth` again",
        ),
        (
            f"{assembly}/manifest.json",
            12,
            "artifact ReportsStack (aws:cloudformation:stack) has no templateFile",
        ),
    ]
    assert [os.path.relpath(f, assembly) for f in result.scanned] == [
        "ReportsStackAuditC3A5B4E1.nested.template.json"
    ]


def test_in_pr_mode_a_change_to_what_a_parent_passes_reports_the_nested_stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parent's template is where a nested stack's parameter values come from: a
    pull request that changes only the parent still reports what it does to the child."""
    git_alone(monkeypatch, tmp_path)
    app = tmp_path / "app"

    assembly = copy(tmp_path)
    child = assembly / "ReportsStackAuditC3A5B4E1.nested.template.json"
    child.write_text(child.read_text().replace('"s3:List*"', '"s3:PutObject"'))
    git(app, "init", "-q", "-b", "main")
    git(app, "add", ".")
    git(app, "commit", "-q", "-m", "base")
    git(app, "checkout", "-q", "-b", "change")
    parent = assembly / "ReportsStack.template.json"
    template = json.loads(parent.read_text())
    nested = template["Resources"]["AuditNestedStackAuditNestedStackResource1E2F3A4B"]
    nested["Properties"]["Parameters"]["referencetoReportsStackReportsBucket4E0F8A1DArn"] = "*"
    parent.write_text(json.dumps(template, indent=1))
    git(app, "commit", "-q", "-am", "pass every bucket")
    done = iacguard(
        "check", ".", "--diff-base", "main", "--format", "json", "--no-cache", cwd=tmp_path / "app"
    )
    findings = json.loads(done.stdout)["findings"]
    assert ("IG007", "cdk.out/ReportsStackAuditC3A5B4E1.nested.template.json", 48) in [
        (f["rule_id"], f["file"], f["line"]) for f in findings
    ]


def test_a_named_manifest_names_its_assembly() -> None:
    result = run(f"{ASSEMBLY}/manifest.json")
    assert sorted(result.scanned) == [STACK, NESTED]
    assert shown(result) == FINDINGS


# -- replay --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edited", "change", "after"),
    [
        # the nested stack's statement: every s3 action
        (
            "ReportsStackAuditC3A5B4E1.nested.template.json",
            ('"s3:PutObject"', '"s3:*"'),
            ["IG012 17", "IG002 48"],
        ),
        # what the parent passes the nested stack: any bucket, which it may now write to
        (
            "ReportsStack.template.json",
            (
                '"referencetoReportsStackReportsBucket4E0F8A1DArn": {',
                '"referencetoReportsStackReportsBucket4E0F8A1DArn": "*", "x": {',
            ),
            ["IG012 17", "IG002 46", "IG007 48"],
        ),
    ],
)
def test_a_template_edited_inside_the_assembly_is_scanned_again_not_replayed(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    edited: str,
    change: tuple[str, str],
    after: list[str],
) -> None:
    """A warm run replays the last output only when nothing it read changed: each
    template of the assembly is among what it read, the nested one as much as the
    parent that passes it its values."""
    from iacguard import engine

    assembly = copy(tmp_path)
    child = assembly / "ReportsStackAuditC3A5B4E1.nested.template.json"
    child.write_text(child.read_text().replace('"s3:List*"', '"s3:PutObject"'))
    scans: list[int] = []
    real = engine.scan

    def counted(*args: Any, **kwargs: Any) -> ScanResult:
        scans.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "scan", counted)

    def nested_findings() -> list[str]:
        done = iacguard("check", "cdk.out", "--format", "json", cwd=tmp_path / "app")
        return [
            f"{f['rule_id']} {f['line']}"
            for f in json.loads(done.stdout)["findings"]
            if f["file"].endswith(".nested.template.json")
        ]

    before = nested_findings()
    assert before == ["IG012 17", "IG002 46"]
    assert nested_findings() == before
    assert len(scans) == 1  # replayed
    path = assembly / edited
    old, new = change
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    assert nested_findings() == after
    assert len(scans) == 2


def test_a_bug_reading_an_assembly_costs_that_assembly_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iacguard.parsers import cdk_assembly

    copy(tmp_path)
    (tmp_path / "app" / "other.yaml").write_text(
        "Resources:\n  Admin:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        "      PolicyDocument:\n        Statement:\n"
        "          - {Effect: Allow, Action: '*', Resource: '*'}\n"
    )

    def broken(directory: Path, seen: set[str]) -> None:
        raise KeyError("artifacts")

    monkeypatch.setattr(cdk_assembly, "read", broken)
    result = run(tmp_path / "app")
    assert [(e.kind, e.file, e.message) for e in result.errors] == [
        (
            "internal",
            f"{tmp_path}/app/cdk.out/manifest.json",
            "internal error while reading the cloud assembly: KeyError: 'artifacts'",
        )
    ]
    # the rest of the scan goes on
    assert ("IG002", f"{tmp_path}/app/other.yaml", 7) in [
        (f.rule_id, f.location.file, f.location.line) for f in result.findings
    ]
    # and its templates are read all the same, as templates found in a directory
    assert {f.location.file for f in result.findings} == {
        f"{tmp_path}/app/other.yaml",
        f"{tmp_path}/app/cdk.out/ReportsStack.template.json",
        f"{tmp_path}/app/cdk.out/ReportsStackAuditC3A5B4E1.nested.template.json",
    }


def test_a_manifest_json_never_hides_the_files_beside_it(tmp_path: Path) -> None:
    """Anyone can add a manifest.json and a tree.json to a pull request: the directory is
    still walked, and what the manifest does not name is read as usual."""
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(
        'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ '
        'Effect = "Allow", Action = "*", Resource = "*" }] })\n}\n'
    )
    (tmp_path / "stack.yaml").write_text(
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        "      PolicyDocument:\n        Statement:\n"
        "          - {Effect: Allow, Action: 'iam:*', Resource: '*'}\n"
    )
    (tmp_path / "manifest.json").write_text('{"version": "36.0.0", "artifacts": {}}')
    (tmp_path / "tree.json").write_text("{}")
    result = run(tmp_path)
    assert result.errors == []
    assert sorted(
        {(f.rule_id, Path(f.location.file).name, f.location.line) for f in result.findings}
    ) == [
        ("IG002", "main.tf", 2),
        ("IG002", "stack.yaml", 7),
        ("IG008", "main.tf", 2),
        ("IG008", "stack.yaml", 7),
        ("IG009", "main.tf", 2),
        ("IG009", "stack.yaml", 7),
    ]


def test_a_made_up_assembly_cannot_pass_values_to_a_template_of_the_repository(
    tmp_path: Path,
) -> None:
    """A pull request adds a manifest, a tree.json and a parent that names the repository's
    template as its nested stack and passes it a harmless value: the template is still
    checked with its own default."""
    (tmp_path / "victim.yaml").write_text(
        "Parameters:\n  Actions:\n    Type: String\n    Default: '*'\n"
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
        "      PolicyDocument:\n        Statement:\n"
        "          - {Effect: Allow, Action: !Ref Actions, Resource: '*'}\n"
    )
    parent = {
        "Resources": {
            "Nested": {
                "Type": "AWS::CloudFormation::Stack",
                "Metadata": {"aws:asset:path": "victim.yaml"},
                "Properties": {"Parameters": {"Actions": "s3:GetObject"}},
            }
        }
    }
    (tmp_path / "parent.template.json").write_text(json.dumps(parent))
    manifest = {
        "version": "36.0.0",
        "artifacts": {
            "Parent": {
                "type": "aws:cloudformation:stack",
                "properties": {"templateFile": "parent.template.json"},
            }
        },
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "tree.json").write_text("{}")
    result = run(tmp_path)
    assert result.errors == []
    assert ("IG002", f"{tmp_path}/victim.yaml", 11) in [
        (f.rule_id, f.location.file, f.location.line) for f in result.findings
    ]

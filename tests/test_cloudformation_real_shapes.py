"""Templates in the shapes real repositories have: AWS sample templates in JSON with
``Ref``s, CDK output, conditional principals, policies given as JSON text, rain modules.
Each is read without error, in worker processes exactly as in one, and a bad value
costs only that value."""

from __future__ import annotations

import dataclasses
import datetime
import pickle
from pathlib import Path
from typing import Any

import pytest
from helpers import described, iacguard, run

from iacguard import runner

CFN = "fixtures/cloudformation"

DOCS = "https://github.com/your-org/iacguard/blob/v0.1.0/docs/rules.md#"


def test_serial_and_parallel_scans_print_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """JSON templates with ``Ref`` in RoleName, ManagedPolicyArns and Roles once left
    a decoder's string class in the model: a worker could not send it back and the
    file's findings were lost. Every template shape is in ``fixtures/cloudformation``."""
    monkeypatch.setattr(runner, "pool_pays", lambda units, workers: True)
    serial = iacguard("check", CFN, "--format", "json", "--jobs", "1", "--no-cache")
    parallel = iacguard("check", CFN, "--format", "json", "--jobs", "2", "--no-cache")
    assert '"internal error' not in serial.stdout
    assert (parallel.returncode, parallel.stdout) == (serial.returncode, serial.stdout)
    assert f"{CFN}/wildcard-action/positive_aws_sample_refs.json" in serial.stdout


def test_sample_style_json_template_with_refs_reports_its_findings() -> None:
    path = f"{CFN}/wildcard-action/positive_aws_sample_refs.json"
    assert described(run(path)) == [
        f"IG002 {path}:36:43 critical AdminAccessPolicy: Statement #1 allows * on every resource (full administrator access)",
        f'IG008 {path}:36:43 high AdminAccessPolicy: Statement #1 allows iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition)',
        f'IG009 {path}:36:43 high AdminAccessPolicy: Statement #1 allows sts:AssumeRole, sts:GetFederationToken, iam:CreateAccessKey and 20 more on any resource (Resource "*"): each returns credentials or secrets',
        f"IG002 {path}:49:44 high BucketAccessPolicy: Statement #1 allows s3:* (every s3 action)",
    ]


def test_cdk_output_reports_its_findings() -> None:
    path = f"{CFN}/wildcard-action/positive_cdk_output.json"
    assert described(run(path)) == [
        f"IG002 {path}:56:18 high DeployRoleDefaultPolicy2B7C8E1A: Statement #2 allows "
        "cloudformation:* (every cloudformation action)",
    ]


def _not_plain(value: Any, where: str = "result") -> list[str]:
    """Where ``value`` holds anything but built-in scalars, lists, tuples, dicts and
    iacguard's dataclasses (what a pickle or the cache could not carry as it is)."""
    kind = type(value)
    if value is None or kind in (str, int, float, bool):
        return []
    if kind in (list, tuple):
        return [bad for i, item in enumerate(value) for bad in _not_plain(item, f"{where}[{i}]")]
    if kind is dict:
        return [bad for k, item in value.items()
                for bad in _not_plain(k, f"{where} key") + _not_plain(item, f"{where}[{k!r}]")]  # fmt: skip
    if dataclasses.is_dataclass(value) and kind.__module__.startswith("iacguard."):
        return [bad for f in dataclasses.fields(value)
                for bad in _not_plain(getattr(value, f.name), f"{where}.{f.name}")]  # fmt: skip
    return [f"{where}: {kind.__module__}.{kind.__qualname__}"]


def test_parse_results_of_every_template_are_plain_values() -> None:
    """A parse result leaves its process (a worker's pickle, the cache): the reader
    builds built-in values only, never a decoder's string class (which once cost a
    worker's results), in every template shape of the fixtures."""
    from iacguard.parsers.cloudformation import parse_text

    templates = [p for p in Path(CFN).rglob("*") if p.suffix in (".yaml", ".yml", ".json")]
    assert len(templates) > 50
    texts = [(p.as_posix(), p.read_text(encoding="utf-8")) for p in templates]
    # YAML's other types, where names, policies and principals are read: errors, not values
    odd = "\n".join(f"      {key}: {value}" for key, value in [
        ("RoleName", "!!binary aGVsbG8="), ("MaxSessionDuration", "2020-01-01"),
        ("Path", "!!float 1e3"), ("Tags", "[{Key: !!binary aGVsbG8=, Value: 2020-01-01}]"),
        ("Policies", "[{PolicyName: 2020-01-01, PolicyDocument: {Statement: [{Sid: "
                     "!!binary aGVsbG8=, Effect: Allow, Action: '*', Resource: 2020-01-01, "
                     "Principal: {AWS: !!binary aGVsbG8=}}]}}]"),
    ])  # fmt: skip
    texts.append(
        ("odd.yaml", f"Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n{odd}\n")
    )
    for file, text in texts:
        result = parse_text(text, file)
        assert _not_plain(result) == [], file
        assert pickle.loads(pickle.dumps(result)) == result
    assert [e.message for e in result.errors] == [
        "Role: RoleName must be a single value, not a mapping",
        "Role: MaxSessionDuration must be a single value, not a mapping",
        "Role: PolicyName must be a single value, not a mapping",
        "Role: Resource must be a string or a list of strings",
        "Role: AWS must be a string or a list of strings",
    ]
    assert _not_plain([datetime.date(2012, 10, 17)]) == ["result[0]: datetime.date"]


def test_conditional_principals_and_an_empty_trust_policy_are_read() -> None:
    from iacguard.parsers.cloudformation import parse_file

    path = Path(f"{CFN}/trust_conditional_principal.yaml")
    parsed = parse_file(path, path.as_posix())
    assert parsed.errors == []
    trust, empty = parsed.model.policies
    principals = trust.statements[0].principals
    assert principals is not None
    assert {kind: [(v.value, v.when) for v in values] for kind, values in principals.items()} == {
        "AWS": [("arn:aws:iam::333333333333:root", "condition IsProd is true")],
        "Service": [("codebuild.amazonaws.com", "condition IsProd is false")],
    }
    assert (empty.address, empty.kind, empty.statements) == ("PlaceholderRole", "trust", [])


def test_only_the_pack_gets_locations_with_their_path_in_the_template() -> None:
    """cfn-lint places a match by its path; the command line shows none, so its results
    (stored in the cache, sent back by workers) carry none."""
    from iacguard.parsers.cloudformation import parse_template, parse_text
    from iacguard.parsers.template_reader import read

    path = Path(f"{CFN}/trust_conditional_principal.yaml")
    text = path.read_text(encoding="utf-8")
    cli = parse_text(text, path.as_posix()).model.policies[0].statements[0].location
    decoded = read(text)
    pack = parse_template(decoded.value, path.as_posix(), text, decoded.marks)
    located = pack.model.policies[0].statements[0].location
    assert located.path == ("Resources", "DeployRole", "Properties", "AssumeRolePolicyDocument",
                            "Statement", 0)  # fmt: skip
    assert cli == dataclasses.replace(located, path=())


def test_a_malformed_inline_policy_costs_only_that_policy(tmp_path: Path) -> None:
    template = tmp_path / "users.yaml"
    template.write_text(
        "Resources:\n"
        "  Alice:\n"
        "    Type: AWS::IAM::User\n"
        "    Properties:\n"
        "      Groups: [developers]\n"
        "      Policies:\n"
        "        - PolicyName: broken\n"
        "          PolicyDocument: {Statement: nope}\n"
        "        - not-a-policy\n"
        "        - PolicyName: admin\n"
        "          PolicyDocument:\n"
        "            Statement:\n"
        "              - {Effect: Allow, Action: '*', Resource: '*'}\n"
    )
    done = iacguard("check", "users.yaml", "--select", "IG001,IG002", cwd=tmp_path)
    name = "users.yaml"
    assert done.returncode == 2
    assert done.stdout.splitlines() == [
        f'{name}:10:11  MEDIUM  IG001  Alice  Inline policy "admin" is embedded '
        "in user Alice; attach a managed policy to a group instead",
        f"{name}:13:41  CRITICAL  IG002  Alice  Statement #1 allows * on every "
        "resource (full administrator access)",
        f"IG001 user-inline-policy: how to fix: iacguard explain IG001, {DOCS}user-inline-policy",
        f"IG002 wildcard-action: how to fix: iacguard explain IG002, {DOCS}wildcard-action",
        "2 findings (1 critical, 1 medium) in 1 file scanned; 2 errors.",
    ]
    assert done.stderr.splitlines() == [
        f"{name}:8:39: error: Alice: a Statement must be a mapping, not a string",
        f"{name}:9:11: error: Alice: each Policies entry must be a mapping",
    ]


def test_a_rain_module_is_skipped_with_a_note() -> None:
    path = f"{CFN}/rain_module_skipped.yaml"
    result = run(path)
    assert result.errors == []
    assert [f for f in result.findings if f.resource == "Website"] == []  # the module
    assert [(u.file, u.line, u.resource, u.expression, u.why) for u in result.unresolved] == [
        (
            path,
            5,
            "Website",
            "!Rain::Module ./modules/static-site.yaml",
            "a Rain module, expanded by rain before deploy; not checked",
        )
    ]


def test_json_text_policies_are_located_at_the_action_inside_the_text() -> None:
    yaml_path = f"{CFN}/policy_json_string.yaml"
    json_path = f"{CFN}/policy_json_string.json"
    assert described(run(yaml_path, json_path)) == [
        f"IG002 {json_path}:7:111 high ReportsPolicy: Statement #1 allows athena:* "
        "(every athena action)",
        f"IG002 {yaml_path}:12:43 high BlockPolicy: Statement #1 allows iam:* (every iam action)",
        f"IG008 {yaml_path}:12:43 high BlockPolicy: Statement #1 allows iam:PassRole on every role "
        '(Resource "*") to any service (no iam:PassedToService condition)',
        f"IG009 {yaml_path}:12:43 high BlockPolicy: Statement #1 allows iam:CreateAccessKey, "
        'iam:UpdateAccessKey, iam:CreateLoginProfile and 3 more on any resource (Resource "*"): '
        "each returns credentials or secrets",
        f"IG002 {yaml_path}:18:69 high QuotedPolicy: Statement #1 allows s3:* (every s3 action)",
        f"IG002 {yaml_path}:25:43 high SubPolicy: Statement #1 allows kms:* (every kms action)",
        f"IG002 {yaml_path}:26:43 high SubPolicy: Statement #2 allows ec2:* (every ec2 action)",
    ]


def test_fn_foreach_is_expanded_as_cfn_lint_expands_it() -> None:
    """Each team gets its role and policy, found at the loop body's lines; a loop over a
    list known only at deploy is left out and said so."""
    path = f"{CFN}/foreach_generated_policies.yaml"
    result = run(path)
    assert described(result) == [
        f"IG002 {path}:29:25 high dataengPolicy: Statement #1 allows s3:* (every s3 action)",
        f"IG002 {path}:29:25 high webPolicy: Statement #1 allows s3:* (every s3 action)",
    ]
    assert result.errors == []
    assert [(u.line, u.resource, u.expression, u.why) for u in result.unresolved] == [
        (
            31,
            "Fn::ForEach::Extra",
            "!Ref ExtraBuckets",
            "its collection is known only when the stack is deployed; not checked",
        )
    ]
    from iacguard.parsers.cloudformation import parse_file

    model = parse_file(Path(path), path).model
    assert [(p.address, p.name.value if p.name else None) for p in model.principals] == [
        ("dataengRole", "data-eng-role"),
        ("webRole", "web-role"),
    ]
    assert [
        (p.address, [r.target for r in p.embedded_in]) for p in model.policies if p.kind == "inline"
    ] == [("dataengPolicy", ["dataengRole"]), ("webPolicy", ["webRole"])]


def test_the_cli_and_the_pack_expand_the_same_loops() -> None:
    path = f"{CFN}/cfnlint/language_extensions.yaml"
    assert described(run(path)) == [
        f'IG005 {path}:13:11 medium AlphaRole: Role "AlphaRole" allows sessions of 12 hours '
        "(43200 s); the limit is 1 hour (3600 s)",
        f'IG005 {path}:13:11 medium BetaRole: Role "BetaRole" allows sessions of 12 hours '
        "(43200 s); the limit is 1 hour (3600 s)",
        f"IG002 {path}:18:25 high AlphaRole: Statement #1 allows sts:* (every sts action)",
        f"IG002 {path}:18:25 high BetaRole: Statement #1 allows sts:* (every sts action)",
    ]


def test_a_rain_module_written_in_json_is_skipped_and_the_rest_checked() -> None:
    path = f"{CFN}/rain_module_skipped.json"
    result = run(path)
    assert result.errors == []
    assert described(result) == [
        f"IG002 {path}:16:65 critical Admin: Statement #1 allows * on every resource (full administrator access)",
        f'IG008 {path}:16:65 high Admin: Statement #1 allows iam:PassRole on every role (Resource "*") to any service (no iam:PassedToService condition)',
        f'IG009 {path}:16:65 high Admin: Statement #1 allows sts:AssumeRole, sts:GetFederationToken, iam:CreateAccessKey and 20 more on any resource (Resource "*"): each returns credentials or secrets',
    ]
    assert [(u.line, u.resource, u.why) for u in result.unresolved] == [
        (5, "Network", "a Rain module, expanded by rain before deploy; not checked")
    ]

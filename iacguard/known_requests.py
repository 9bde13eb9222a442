"""``iacguard check`` requests argparse made of an argument list before, kept in the
cache: a replayed scan spent 13 ms of its 70 importing argparse, declaring its 37
arguments and parsing them. What argparse makes of the arguments depends on them and on
iacguard's code alone (the cache directory is per code version), so the same arguments
give the same request: it is looked up before argparse is imported.

Only requests that reach a scan are kept, and never one with ``--no-cache``.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iacguard.cache import Cache
    from iacguard.commands.check import CheckRequest

_FORMAT = 1


def get(arguments: list[str]) -> CheckRequest | None:
    """The request ``arguments`` made before, if kept."""
    if not _may_keep(arguments):
        return None
    from iacguard.commands.check import CheckRequest

    request = _cache().get(_key(arguments))
    return request if type(request) is CheckRequest and request.cache else None


def put(arguments: list[str], request: CheckRequest) -> None:
    """Keep what argparse made of ``arguments`` (a request for a scan)."""
    if request.cache and _may_keep(arguments):
        _cache().put(_key(arguments), request)


def _may_keep(arguments: list[str]) -> bool:
    return arguments[:1] == ["check"] and not any(map(_no_cache, arguments))


def _no_cache(argument: str) -> bool:
    """``--no-cache``, or as argparse takes it abbreviated (``--no-ca``; ``--no-c``
    could be ``--no-color`` too); then nothing is read or kept."""
    return argument.startswith("--no-ca") and "--no-cache".startswith(argument)


def _cache() -> Cache:
    from iacguard.cache import Cache, default_directory

    return Cache(default_directory())


def _key(arguments: list[str]) -> str:
    digest = hashlib.sha256(f"check request\0{_FORMAT}".encode())
    for argument in arguments:
        digest.update(b"\0" + argument.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()

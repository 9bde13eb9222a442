"""Writing the files iacguard produces (reports, baselines) so that a name already taken
in the checkout cannot redirect them.

A pull request may commit ``iacguard.sarif`` as a symlink to a file outside the
workspace: writing to that name must replace the link, never write through it. So the
text goes to a new file (created exclusively, never following a link) beside the target
and is renamed over it; a reader also never sees half a file.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8; unencodable characters backslash-escaped) to ``path``."""
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(temporary, flags | getattr(os, "O_BINARY", 0), 0o644)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(text.encode("utf-8", "backslashreplace"))
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise

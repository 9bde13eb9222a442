"""python-hcl2's parser: iacguard's run of its tables (``hcl_lalr``) where they match
the installed python-hcl2, else lark's, built once per machine rather than once per
process.

python-hcl2 keeps lark's LALR tables in a file beside its own code; where that folder is
read-only and the file missing (a system or container install), every process builds
them again: two seconds of CPU on every one-file scan. There, the tables are kept in
iacguard's cache instead, as plain values (``iacguard.codec``, never a pickle: lark's own
cache format is one), and loaded in about a tenth of the time.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lark import Lark

    from iacguard.cache import Cache
    from iacguard.parsers.hcl_lalr import Parser

_cache: list[Cache] = []  # where to keep the tables: set by the scan, empty for none


def keep_in(cache: Cache) -> None:
    """Keep the tables in ``cache`` (when python-hcl2 cannot keep them itself)."""
    _cache[:] = [cache] if cache.enabled else []


@functools.cache
def parser() -> Parser | Lark:
    """iacguard's run of python-hcl2's tables; where they do not match the installed
    python-hcl2, the parser ``hcl2.parses`` uses: python-hcl2's own where its table file
    exists, else one loaded from (or built and stored in) iacguard's cache."""
    from iacguard.parsers import hcl_lalr

    tables = hcl_lalr.parser()
    if tables is not None:
        return tables
    return lark_parser()


@functools.cache
def lark_parser() -> Lark:
    """The parser ``hcl2.parses`` uses (see ``parser``)."""
    import hcl2.parser

    if hcl2.parser.PARSER_FILE.exists() or not _cache:
        return hcl2.parser.parser()
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    from iacguard.cache import Cache

    cache = _cache[0]
    grammar = Path(hcl2.parser.__file__).with_name("hcl2.lark")
    key = Cache.key("lark-tables", str(grammar), grammar.read_text(encoding="utf-8"))
    tables = cache.get(key)
    if isinstance(tables, dict):
        try:
            return _load(tables)
        except Exception:  # tables of another lark: build them again
            pass
    built = _build()
    data, memo = built.memo_serialize([TerminalDef, Rule])
    data["options"] = {k: v for k, v in data["options"].items() if k != "postlex"}
    cache.put(key, {"data": data, "memo": memo})
    return built


def _build() -> Lark:
    """What ``hcl2.parser.parser()`` builds, without writing into python-hcl2's folder."""
    import hcl2.parser
    from hcl2.postlexer import PostLexer
    from lark import Lark

    return Lark.open(
        "hcl2.lark",
        parser="lalr",
        rel_to=hcl2.parser.__file__,
        propagate_positions=True,
        postlex=PostLexer(),
    )


def _load(tables: dict[str, Any]) -> Lark:
    from hcl2.postlexer import PostLexer
    from lark import Lark

    # Lark.load takes the same dict; _load also takes the options lark does not save
    instance: Lark = Lark.__new__(Lark)._load(tables, postlex=PostLexer())
    return instance

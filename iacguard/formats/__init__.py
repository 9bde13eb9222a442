"""The input formats behind one protocol, registered in ``FORMATS``: the walk and the
engine ask this registry and name no format.

A format says which files it reads (by name, and by content where a name is not
enough: a Terraform plan is a ``.json`` file), how one file's text is parsed into a
result that can be cached (in worker processes), and how a scan's parsed files become
the model: its ``Reader`` reads the candidates ahead (where its pre-filter decides what
is worth parsing), then assembles what was parsed (CloudFormation template by template,
Terraform module by module, parsing on demand the files that resolution asks for).

A new format is one module in this package and one line in ``FORMATS``. Its module
stays light to import (the walk imports it): its parser is imported when it parses.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from iacguard.formats.cdk import CloudAssembly
from iacguard.formats.cloudformation import CloudFormation
from iacguard.formats.terraform import Terraform
from iacguard.formats.terraform_plan import TerraformPlan

if TYPE_CHECKING:
    from iacguard.cache import Cache
    from iacguard.config import Config
    from iacguard.errors import Error
    from iacguard.parsers import ParseResult
    from iacguard.runner import Unit


class Scheduler(Protocol):
    """What the engine offers a reader during one scan (``iacguard.parsing``): each file
    parsed once."""

    max_bytes: int
    named: set[Path]  # the paths the scan was given: a file named there is always read
    cache: Cache
    # The real paths of the files a reader has taken as its own: a reader whose files
    # another reads too (a template named beside its cloud assembly) leaves those out.
    claimed: set[str]

    def unit(
        self, kind: str, path: Path, text: str, parameters: tuple[tuple[str, str], ...] = ()
    ) -> Unit:
        """The unit that parses ``text``, keyed for the cache."""

    def ahead(self, kind: str, path: Path, parameters: tuple[tuple[str, str], ...] = ()) -> Any:
        """The result of ``path`` parsed ahead as ``kind`` (with ``parameters``, as its
        unit was made), handed out once; else None."""

    def now(self, unit: Unit) -> Any:
        """The result of a unit not parsed ahead: cached, else parsed here, in limits
        (and cached, unless its key is empty)."""


class Reader(Protocol):
    """One format's part of one scan."""

    def ahead(self, files: list[Path], prefilter: set[Path] | None) -> list[tuple[Unit, Path]]:
        """Read the format's candidates (``files``, in the order found) and say which
        units to parse before assembling. ``prefilter``: the paths the scan was given
        (what is named there is always parsed), or None to parse everything."""

    def assemble(self) -> ParseResult:
        """The model of everything read, once the units are parsed."""


class Format(Protocol):
    name: str  # its units' kind; ``--profile`` times its parsing as "parse NAME"
    title: str  # as messages name it: "Terraform"
    kinds: tuple[str, ...]  # every kind of unit it parses
    suffixes: tuple[str, ...]  # the names it reads; the longest suffix that matches wins
    # Empty, or what the first ``HEAD_BYTES`` of a file with its suffixes (or named on
    # the command line with no format's suffix) must all hold for it to be this format's
    # (and not the one whose suffix matches): a format recognised by content is asked
    # before the formats that go by name.
    markers: tuple[bytes, ...]
    # Its files make up one module per directory: a file linked into several directories
    # is read in each, and a file named alone is read with its directory's.
    by_directory: bool
    # The name of the file through which it reads a whole directory (a CDK cloud
    # assembly's manifest.json), or None: where ``owns`` says the directory holding that
    # file is the format's, the walk hands it that file, even in a directory that
    # .gitignore lists, and walks the directory as any other all the same (a file never
    # hides what is beside it: its reader claims what it read). A file of that name
    # named on the command line names its directory.
    directory_file: str | None

    def owns(self, directory: Path) -> bool:
        """Whether ``directory`` is read whole through its ``directory_file``."""

    def reader(self, parsing: Scheduler, config: Config) -> Reader: ...

    def parse(self, unit: Unit) -> Any:
        """One unit's result, in a worker process; what it raises is caught there."""

    def failed(self, unit: Unit, error: Error) -> Any:
        """The result of a unit that could not be parsed: only ``error``."""

    def is_result(self, value: object) -> bool:
        """Whether a cached value is one of this format's results."""

    def before_parsing(self) -> None:
        """Load what parsing its units needs, once some are to be parsed and before any
        worker starts, so that forked workers share it (not each a copy of its own)."""


_CLOUDFORMATION = CloudFormation()
# A cloud assembly's reader comes before CloudFormation's: it claims its templates.
FORMATS: tuple[Format, ...] = (CloudAssembly(), _CLOUDFORMATION, Terraform(), TerraformPlan())
# What a file named on the command line is read as when no format claims its name: a
# template may be called anything (``stack.cfn``).
NAMED: Format = _CLOUDFORMATION


HEAD_BYTES = 8192


def candidate(name: str) -> bool:
    """Whether some format may read a file called ``name``."""
    return any(name.endswith(f.suffixes) for f in FORMATS)


def claim(path: Path) -> Format | None:
    """The format that reads the file at ``path``: one recognised by content that
    finds its markers in the file's first bytes (read only when such a format takes
    the file's suffix, or no format does: a file named on the command line, such as a
    plan saved as ``tfplan``), else the one that goes by the file's name."""
    named = not candidate(path.name)
    marked = [f for f in FORMATS if f.markers and (named or path.name.endswith(f.suffixes))]
    if marked:
        from iacguard.parsers.source import read_head

        head = read_head(path, HEAD_BYTES)
        for found in marked:
            if all(marker in head for marker in found.markers):
                return found
    return format_for(path.name)


def directory_files() -> frozenset[str]:
    """The names of the files through which a format may read a whole directory."""
    return frozenset(f.directory_file for f in FORMATS if f.directory_file is not None)


def owner(directory: Path) -> tuple[Format, Path] | None:
    """The format that reads ``directory`` whole, and the file it reads it through; None
    for a directory walked as any other."""
    for form in FORMATS:
        if form.directory_file is not None and form.owns(directory):
            return form, directory / form.directory_file
    return None


def format_for(name: str) -> Format | None:
    """The format that reads a file called ``name`` by its name alone: the one whose
    longest suffix matches (``x.tf.json`` is Terraform's, ``x.json`` CloudFormation's)."""
    best: Format | None = None
    length = 0
    for form in FORMATS:
        if form.markers:
            continue
        for suffix in form.suffixes:
            if len(suffix) > length and name.endswith(suffix):
                best, length = form, len(suffix)
    return best


def for_kind(kind: str) -> Format:
    """The format that parses units of ``kind``."""
    return next(f for f in FORMATS if kind in f.kinds)

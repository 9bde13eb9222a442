"""The formats behind one protocol: which format reads a file, and a new format as one
registry entry plus its module, with the engine and the walk unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

import iacguard.engine
import iacguard.formats
from iacguard.config import Config
from iacguard.engine import scan
from iacguard.errors import Error
from iacguard.formats import FORMATS, Scheduler, format_for
from iacguard.model import Location, Principal
from iacguard.parsers import ParseResult
from iacguard.parsing import ScanOptions
from iacguard.runner import Unit

USER = "Resources:\n  U:\n    Type: AWS::IAM::User\n"
STACK_JSON = '{"Resources": {"U": {"Type": "AWS::IAM::User"}}}\n'
NO_GROUP = 'User "{}" belongs to no IAM group; grant permissions through groups'


@pytest.mark.parametrize(
    ("name", "reader"),
    [
        ("main.tf", "terraform"),
        ("x.tf.json", "terraform"),  # the longest suffix wins over CloudFormation's .json
        ("stack.json", "cloudformation"),
        ("stack.yml", "cloudformation"),
        ("stack.template", "cloudformation"),
        ("README.md", None),
        ("terraform.tfvars", None),  # read when a module asks for it, never on its own
    ],
)
def test_each_file_name_has_at_most_one_format(name: str, reader: str | None) -> None:
    found = format_for(name)
    assert (found.name if found else None) == reader


def test_a_file_named_on_the_command_line_is_read_whatever_its_name(tmp_path: Path) -> None:
    (tmp_path / "stack.cfn").write_text(USER)
    named = scan([str(tmp_path / "stack.cfn")], Config())
    walked = scan([str(tmp_path)], Config())
    assert [(f.rule_id, f.location.line) for f in named.findings] == [("IG003", 2)]
    assert (walked.findings, walked.scanned) == ([], [])


class UserList:
    """A format made up for this test, recognised by content among ``.json`` files as a
    plan will be: ``{"users": [`` then one quoted IAM user name a line."""

    name = "users"
    title = "user list"
    kinds: tuple[str, ...] = ("users",)
    suffixes: tuple[str, ...] = (".json",)
    by_directory = False
    markers: tuple[bytes, ...] = (b'{"users": [',)
    directory_file: str | None = None  # its files are read one by one

    def owns(self, directory: Path) -> bool:
        return False

    def __init__(self) -> None:
        self.parsed: list[str] = []  # the files it parsed, to tell a cached result

    def reader(self, parsing: Scheduler, config: Config) -> UserListReader:
        return UserListReader(parsing)

    def parse(self, unit: Unit) -> ParseResult:
        self.parsed.append(Path(unit.file).name)
        result = ParseResult(scanned=[unit.file])
        for number, line in enumerate(unit.text.splitlines()[1:-1], start=2):
            name = line.strip().strip(",").strip('"')
            if not name.isidentifier():
                result.errors.append(
                    Error("value", f"not a user name: {name!r}", unit.file, number)
                )
                continue
            location = Location(unit.file, number, 1, number, len(line) + 1)
            user = Principal("user", name, "AWS::IAM::User", location)
            result.model.principals.append(user)
            result.model.resources += 1
        return result

    def failed(self, unit: Unit, error: Error) -> ParseResult:
        return ParseResult(errors=[error])

    def is_result(self, value: object) -> bool:
        return isinstance(value, ParseResult)

    def before_parsing(self) -> None:
        pass


class UserListReader:
    def __init__(self, parsing: Scheduler) -> None:
        self.parsing = parsing
        self.files: list[Path] = []

    def ahead(self, files: list[Path], prefilter: set[Path] | None) -> list[tuple[Unit, Path]]:
        self.files = files
        return [(self.parsing.unit("users", p, p.read_text(encoding="utf-8")), p) for p in files]

    def assemble(self) -> ParseResult:
        result = ParseResult()
        for path in self.files:
            parsed: ParseResult = self.parsing.ahead("users", path)
            result.model.extend(parsed.model)
            result.errors.extend(parsed.errors)
            result.scanned.extend(parsed.scanned)
        return result


def test_a_new_format_is_one_registry_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recognised by content among the JSON files CloudFormation reads by name, parsed
    once (the second scan reads the cache), its errors and findings where they are."""
    user_list = UserList()
    registry = (*FORMATS, user_list)
    monkeypatch.setattr(iacguard.formats, "FORMATS", registry)
    monkeypatch.setattr(iacguard.engine, "FORMATS", registry)
    (tmp_path / "team.json").write_text('{"users": [\n  "alice",\n  "bob",\n  "-x"\n]}\n')
    (tmp_path / "stack.json").write_text(STACK_JSON)
    (tmp_path / "package.json").write_text('{"name": "x", "users": []}\n')
    options = ScanOptions(jobs=1, cache_directory=tmp_path / "cache")
    for _ in ("parsed", "from the cache"):
        result = scan([str(tmp_path)], Config(), options=options)
        shown = [
            (f.rule_id, Path(f.location.file).name, f.location.line, f.message)
            for f in result.findings
        ]
        assert shown == [
            ("IG003", "stack.json", 1, NO_GROUP.format("U")),
            ("IG003", "team.json", 2, NO_GROUP.format("alice")),
            ("IG003", "team.json", 3, NO_GROUP.format("bob")),
        ]
        assert [(e.kind, Path(e.file or "").name, e.line, e.message) for e in result.errors] == [
            ("value", "team.json", 4, "not a user name: '-x'")
        ]
        assert sorted(Path(f).name for f in result.scanned) == ["stack.json", "team.json"]
        assert [Path(f).name for f in result.skipped] == ["package.json"]
    assert user_list.parsed == ["team.json"]  # the second scan read its result from the cache

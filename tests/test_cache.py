"""The parse cache: results by content, never findings; safe when entries are corrupt,
when versions change and when scans run at the same time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import FIXTURE_SAMPLE, ROOT, run, stored_results
from speed_helpers import generated_corpus, scan_json

from iacguard import parsing
from iacguard.cache import STALE_DAYS, USED, Cache, default_directory
from iacguard.config import Config
from iacguard.engine import scan
from iacguard.model import Location
from iacguard.parsing import ScanOptions

# Both formats, local and downloaded modules: what the cache's mechanics are tested on
# (the equivalence tests below read every form of input, and every fixture).
SAMPLE = ("fixtures/cloudformation/report", "fixtures/terraform/downloaded_modules")


def entries(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and not p.name.endswith(".tmp") and p.name != USED
    )


def test_cold_warm_and_uncached_scans_report_the_same() -> None:
    cold = scan_json(FIXTURE_SAMPLE)
    warm = scan_json(FIXTURE_SAMPLE)
    uncached = scan_json(FIXTURE_SAMPLE, "--no-cache")
    assert cold["findings"]
    assert cold == warm == uncached


@pytest.mark.slow  # every fixture, scanned three times
def test_cold_warm_and_uncached_scans_of_every_fixture_report_the_same(
    every_fixture_scan: subprocess.CompletedProcess[str],
) -> None:
    cold = scan_json("fixtures", "--jobs", "1", "--show-suppressed")
    warm = scan_json("fixtures", "--jobs", "1", "--show-suppressed")
    uncached = json.loads(every_fixture_scan.stdout)  # --jobs 1 --no-cache --show-suppressed
    assert cold["findings"]
    assert cold == warm == uncached


@pytest.mark.slow  # a generated corpus, scanned three times
def test_cold_warm_and_uncached_scans_of_a_corpus_report_the_same() -> None:
    cwd = generated_corpus()
    cold = scan_json(".", cwd=cwd)
    warm = scan_json(".", cwd=cwd)
    uncached = scan_json(".", "--no-cache", cwd=cwd)
    assert cold["findings"]
    assert cold == warm == uncached


def test_a_warm_scan_parses_nothing(
    monkeypatch: pytest.MonkeyPatch, _cache_of_its_own: Path
) -> None:
    first = run(*SAMPLE)
    assert first.findings
    assert entries(_cache_of_its_own)

    def parse_unit(unit: object) -> None:
        raise AssertionError(f"parsed again: {unit}")

    monkeypatch.setattr(parsing, "parse_unit", parse_unit)
    again = run(*SAMPLE)
    assert again.findings == first.findings
    assert again.unresolved == first.unresolved


def test_no_cache_neither_reads_nor_writes(_cache_of_its_own: Path) -> None:
    assert scan(list(SAMPLE), Config(), options=ScanOptions(cache=False)).findings
    assert entries(_cache_of_its_own) == []


def test_a_changed_file_is_parsed_again(tmp_path: Path) -> None:
    template = tmp_path / "stack.yaml"
    policy = "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
    policy += "      PolicyDocument:\n        Statement:\n          - Effect: Allow\n"
    template.write_text(policy + "            Action: s3:GetObject\n            Resource: '*'\n")
    assert run(template).findings == []
    template.write_text(policy + "            Action: 's3:*'\n            Resource: '*'\n")
    assert [f.rule_id for f in run(template).findings] == ["IG002"]


def test_a_file_read_by_terraform_is_read_again_on_every_scan(tmp_path: Path) -> None:
    """Only each file's own syntax is cached: resolution, with file() and the module's
    other files, runs on every scan."""
    shutil.copytree(ROOT / "fixtures/terraform/policy_file", tmp_path / "module")
    document = tmp_path / "module/policies/admin.json"
    assert [f.rule_id for f in run(tmp_path / "module").findings] == ["IG002", "IG008", "IG009"]
    data = json.loads(document.read_text())
    for statement in data["Statement"]:
        statement["Action"] = "s3:GetObject"
        statement["Resource"] = "arn:aws:s3:::bucket/*"
    document.write_text(json.dumps(data))
    assert run(tmp_path / "module").findings == []


def test_results_carry_the_name_the_file_is_shown_by(tmp_path: Path) -> None:
    """Locations hold the file's name relative to where iacguard runs; the same text
    scanned from elsewhere is not served another name from the cache."""
    from_root = scan_json("fixtures/terraform/policy_file")
    from_fixtures = scan_json("terraform/policy_file", cwd=ROOT / "fixtures")
    assert {f["file"] for f in from_root["findings"]} == {
        "fixtures/terraform/policy_file/policies/admin.json"
    }
    assert {f["file"] for f in from_fixtures["findings"]} == {
        "terraform/policy_file/policies/admin.json"
    }
    assert len(from_root["findings"]) == len(from_fixtures["findings"]) == 3


def test_corrupt_entries_are_ignored_and_replaced(_cache_of_its_own: Path) -> None:
    expected = scan_json(*SAMPLE)
    written = entries(_cache_of_its_own)
    assert written
    for number, entry in enumerate(written):
        entry.write_bytes(b"" if number % 2 else b"\x80\x05garbage")
    assert scan_json(*SAMPLE) == expected
    assert all(len(entry.read_bytes()) > 20 for entry in written)  # rewritten whole


def test_installs_of_other_versions_coexist_and_stale_ones_are_pruned_by_age(
    tmp_path: Path,
) -> None:
    # A pre-commit environment and a virtualenv alternate on one cache directory.
    key = Cache.key("terraform", "main.tf", "x")
    pre_commit = Cache(tmp_path, fingerprint="0" * 16)
    pre_commit.put(key, "pre-commit result")
    venv = Cache(tmp_path, fingerprint="1" * 16)
    assert venv.get(key) is None
    venv.put(key, "venv result")
    assert Cache(tmp_path, fingerprint="0" * 16).get(key) == "pre-commit result"
    assert Cache(tmp_path, fingerprint="1" * 16).get(key) == "venv result"

    # The pre-commit install is gone: unused for longer than STALE_DAYS, it is removed
    # when a third version makes its directory; the venv's, used today, stays.
    old = time.time() - (STALE_DAYS + 1) * 86400
    os.utime(pre_commit.directory / USED, (old, old))  # type: ignore[operator]
    Cache(tmp_path, fingerprint="2" * 16).put(key, "new result")
    assert (
        sorted(p.name for p in tmp_path.iterdir())
        == [
            venv.directory.name,  # type: ignore[union-attr]
            f"{venv.directory.name[:-16]}{'2' * 16}",  # type: ignore[union-attr]
        ]
    )


def test_a_cache_that_cannot_be_written_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("IACGUARD_CACHE_DIR", str(blocker / "cache"))
    assert [
        f.rule_id
        for f in run(
            "fixtures/cloudformation/wildcard-action/positive_every_wildcard.yaml"
        ).findings
    ]


def test_the_cache_directory_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("IACGUARD_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_directory() == tmp_path / "explicit"
    monkeypatch.delenv("IACGUARD_CACHE_DIR")
    assert default_directory() == tmp_path / "xdg" / "iacguard"


@pytest.mark.slow  # processes racing for the cache
def test_concurrent_scans_share_the_cache(_cache_of_its_own: Path) -> None:
    command = [sys.executable, "-m", "iacguard", "check", "fixtures", "--format", "json"]
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    scans = [
        subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = [process.communicate()[0] for process in scans]
    assert outputs[0] == outputs[1] == outputs[2]
    assert json.loads(outputs[0]) == scan_json("fixtures")
    assert not [p for p in _cache_of_its_own.rglob("*.tmp")]


def test_entries_are_read_only_from_a_directory_private_to_this_user(tmp_path: Path) -> None:
    """A cache someone else can write to is not used: its entries could be anything."""
    cache = Cache(tmp_path, fingerprint="2" * 16)
    key = Cache.key("terraform", "main.tf", "x")
    cache.put(key, "result")
    assert cache.directory is not None
    assert cache.directory.stat().st_mode & 0o777 == 0o700
    assert Cache(tmp_path, fingerprint="2" * 16).get(key) == "result"

    cache.directory.chmod(0o777)  # anyone may now plant an entry
    shared = Cache(tmp_path, fingerprint="2" * 16)
    assert shared.get(key) is None
    shared.put(Cache.key("terraform", "other.tf", "y"), "planted?")
    assert not (cache.directory / Cache.key("terraform", "other.tf", "y")[:2]).exists()


def test_an_entry_that_would_run_code_or_name_another_class_is_a_miss(tmp_path: Path) -> None:
    import pickle

    cache = Cache(tmp_path, fingerprint="3" * 16)
    key = Cache.key("terraform", "main.tf", "x")
    cache.put(key, "result")
    assert cache.directory is not None
    entry = cache.directory / key[:2] / key[2:]
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    planted = [
        pickle.dumps(Payload()),
        f'[2,"{key}",["os:system"],[]]\n{{"0":["touch {marker}"]}}'.encode(),
        f'[2,"{key}",["subprocess:Popen"],[]]\n{{"0":[["touch","{marker}"]]}}'.encode(),
        f'[2,"{key}",["iacguard.cache:Cache"],[]]\n{{"0":[null]}}'.encode(),
        f'[2,"{key}",["iacguard.__main__:run"],[]]\n{{"0":[]}}'.encode(),
        # the right classes with values of the wrong types
        f'[2,"{key}",["iacguard.model:Location"],[]]\n{{"0":["a.tf","12",1,0,0,{{"t":[]}}]}}'.encode(),
        f'[2,"{key}",["iacguard.parsers.terraform:ParsedFile"],[]]\n{{"0":["main.tf",[],[]]}}'.encode(),
        f'[2,"{key}",["iacguard.model:Location"],[]]\n{{"0":["a.tf",1,2,3,4,5,6,7]}}'.encode(),
        # objects that are not one tagged value: two tags, one tag twice
        f'[2,"{key}",[],[]]\n{{"t":[],"d":[]}}'.encode(),
        f'[2,"{key}",[],[]]\n{{"t":[1],"t":[2]}}'.encode(),
        # a valid entry of another file, moved to this key
        Path(_copy_of_entry(cache, "other")).read_bytes(),
    ]
    for data in planted:
        entry.write_bytes(data)
        assert Cache(tmp_path, fingerprint="3" * 16).get(key) is None, data
    assert not marker.exists()

    # the same shapes, well formed, are read: each one above fails for its own reason
    long = "x" * 100
    entry.write_bytes(
        f'[2,"{key}",["iacguard.model:Location"],["{long}"]]\n'
        f'{{"0":[{{"s":0}},12,1,12,4,{{"t":["Resources"]}}]}}'.encode()
    )
    assert Cache(tmp_path, fingerprint="3" * 16).get(key) == Location(
        long, 12, 1, 12, 4, ("Resources",)
    )


def _copy_of_entry(cache: Cache, text: str) -> Path:
    key = Cache.key("terraform", "main.tf", text)
    cache.put(key, "another result")
    assert cache.directory is not None
    return cache.directory / key[:2] / key[2:]


def test_a_version_directory_swapped_for_a_link_during_the_scan_is_not_read(
    tmp_path: Path,
) -> None:
    # Whoever owns the cache root can rename the private directory away and put a link
    # to their own in its place after it was checked: entries are read through the
    # handle opened when it was checked, so the planted one is never seen.
    root = tmp_path / "shared-root"
    cache = Cache(root, fingerprint="4" * 16)
    key = Cache.key("terraform", "main.tf", "x")
    cache.put(key, "genuine")
    assert cache.get(key) == "genuine"
    assert cache.directory is not None
    planted = Cache(tmp_path / "attacker", fingerprint="4" * 16)
    planted.put(key, "planted")
    cache.directory.rename(root / "moved-away")
    cache.directory.symlink_to(planted.directory)  # type: ignore[arg-type]

    assert cache.get(key) == "genuine"
    assert Cache(root, fingerprint="4" * 16).get(key) is None  # a link is never trusted


def test_parse_results_of_every_fixture_read_back_equal(tmp_path: Path) -> None:
    from iacguard.parsing import parse_unit
    from iacguard.runner import Unit

    cache = Cache(tmp_path, fingerprint="5" * 16)
    kinds = {".tf": "terraform", ".json": "cloudformation", ".yaml": "cloudformation"}
    checked = 0
    for path in sorted((ROOT / "fixtures").rglob("*")):
        kind = kinds.get(path.suffix)
        if kind is None or not path.is_file() or "cfnlint" in path.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        if kind == "terraform" and path.name.endswith(".tf.json"):
            continue
        key = Cache.key(kind, str(path), text)
        parsed = parse_unit(Unit(kind, str(path), text, key))
        cache.put(key, parsed)
        assert cache.get(key) == parsed, path
        checked += 1
    assert checked > 50


def test_lark_tables_are_kept_in_the_cache_when_python_hcl2_cannot_keep_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hcl2.parser

    from iacguard.parsers import hcl_tables

    # Building the tables costs seconds: python-hcl2's own parser, loaded from its table
    # file, stands in for what _build builds (the test below builds them for real).
    python_hcl2s = hcl2.parser.parser()
    monkeypatch.setattr(hcl_tables, "_build", lambda: python_hcl2s)
    # a read-only install: python-hcl2's table file is missing and cannot be written
    monkeypatch.setattr(hcl2.parser, "PARSER_FILE", tmp_path / "read-only" / ".lark_cache.bin")
    hcl_tables.lark_parser.cache_clear()
    monkeypatch.setattr(hcl_tables, "_cache", [])
    hcl_tables.keep_in(Cache(tmp_path / "cache", fingerprint="6" * 16))
    try:
        built = hcl_tables.lark_parser()
        assert entries(tmp_path / "cache")  # stored

        hcl_tables.lark_parser.cache_clear()

        def build_again() -> None:
            raise AssertionError("the tables were built again")

        monkeypatch.setattr(hcl_tables, "_build", build_again)
        loaded = hcl_tables.lark_parser()
        assert loaded is not built
        assert loaded.parse(HCL) == python_hcl2s.parse(HCL)
        assert not (tmp_path / "read-only").exists()
    finally:
        hcl_tables.lark_parser.cache_clear()


HCL = (
    'resource "aws_iam_user" "u" {\n  name = "${var.x}-u"\n  tags = {for k in ["a"] : k => k}\n}\n'
)


@pytest.mark.slow  # builds lark's tables from the grammar: seconds of CPU
def test_the_tables_built_without_python_hcl2s_file_parse_as_python_hcl2_does() -> None:
    import hcl2.parser

    from iacguard.parsers import hcl_tables

    built = hcl_tables._build()
    assert built is not hcl2.parser.parser()
    assert built.parse(HCL) == hcl2.parser.parser().parse(HCL)


def test_a_long_string_repeated_through_an_alias_is_stored_once(tmp_path: Path) -> None:
    """A YAML alias puts one 100 KB string in every resource: written out each time, a
    180 KB template made a 34 MB entry, and reading it back built 300 copies."""
    from iacguard import codec
    from iacguard.model import Location, Scalar

    long = "x" * 100_000
    values = [Scalar(long, Location("t.yaml", i)) for i in range(300)]
    entry = codec.dumps("k", values)
    assert len(entry) < 150_000
    loaded = codec.loads("k", entry)
    assert loaded == values
    assert len({id(v.value) for v in loaded}) == 1


def test_a_string_used_many_times_in_an_entry_is_one_string_read_back() -> None:
    """Workers send their results as entries: a file's name in every location and the
    same keys in every path, read back as one string object each, not one per use
    (835,000 strings where the parse made 167,000, at 5,000 files). Shorter strings are
    written out where they are used."""
    from iacguard import codec
    from iacguard.model import Location, Scalar

    file = "cloudformation/app/template.yaml"
    values = [
        Scalar("Allow", Location(file, i, path=("Resources", "Role", "Effect"))) for i in range(50)
    ]
    loaded = codec.loads("k", codec.dumps("k", values))
    assert loaded == values
    assert len({id(v.location.file) for v in loaded}) == 1
    assert len({id(v.location.path[0]) for v in loaded}) == 1  # Resources
    assert len({id(v.location.path[2]) for v in loaded}) == 1  # Effect: six characters
    assert json.loads(codec.dumps("k", values).partition(b"\n")[0])[3] == [
        file, "Resources", "Effect"]  # fmt: skip


@pytest.mark.parametrize("index", ["-1", "7", '"0"'])
def test_an_entry_naming_a_string_outside_its_table_is_a_miss(index: str) -> None:
    from iacguard import codec

    header = json.dumps([codec.FORMAT, "k", [], ["y" * 300]])
    with pytest.raises(codec.Invalid):
        codec.loads("k", f'{header}\n[{{"s":{index}}}]'.encode())
    assert codec.loads("k", f'{header}\n[{{"s":0}}]'.encode()) == ["y" * 300]


def test_an_entry_is_written_the_same_for_plain_values_and_their_subclasses() -> None:
    """The codec looks at exact types first (a cold scan stores tens of thousands of
    values); a subclass of a plain type is still stored as that type (a ``str`` enum as
    its text), and what cannot be stored is refused."""
    from iacguard import codec
    from iacguard.paths import NotRead
    from iacguard.severity import Severity

    value = [Severity.HIGH, True, 3, 2.5, None, ("a", ["b"]), {("k", 1): NotRead("f", "w")}]
    header, body = codec.dumps("k", value).decode().split("\n")
    assert json.loads(header) == [codec.FORMAT, "k", ["iacguard.paths:NotRead"], []]
    assert (
        body == '["high",true,3,2.5,null,{"t":["a",["b"]]},{"d":[{"t":["k",1]},{"0":["f","w"]}]}]'
    )
    loaded = codec.loads("k", codec.dumps("k", value))
    assert loaded == ["high", True, 3, 2.5, None, ("a", ["b"]), {("k", 1): NotRead("f", "w")}]
    with pytest.raises(TypeError, match=r"cannot store a builtins\.set"):
        codec.dumps("k", [{1}])


def test_the_code_fingerprint_covers_every_python_file_of_the_package_tree(
    tmp_path: Path,
) -> None:
    """A change to any module, in a subpackage too, makes a new version directory; other
    files and linked directories do not count."""
    import os

    from iacguard import cache

    (tmp_path / "checks").mkdir()
    (tmp_path / "a.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "checks" / "b.py").write_text("y = 2\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not code\n", encoding="utf-8")
    (tmp_path / "linked").symlink_to(tmp_path / "checks", target_is_directory=True)
    lines = cache._source_stats(str(tmp_path))
    assert [line.split("\0")[0] for line in lines] == [
        str(tmp_path / "a.py"),
        str(tmp_path / "checks" / "b.py"),
    ]
    os.utime(tmp_path / "checks" / "b.py", ns=(1, 1))
    assert cache._source_stats(str(tmp_path))[1] != lines[1]
    assert cache.code_fingerprint() == cache.code_fingerprint()
    assert len(cache.code_fingerprint()) == 16


def test_an_entry_directory_removed_during_a_scan_is_made_again(tmp_path: Path) -> None:
    """The cache makes each entry directory once a process; one removed meanwhile (a user
    clearing the cache) costs at most one entry, not every later one under it."""
    cache = Cache(tmp_path)
    first, lost, later = ("ab" + str(n) * 62 for n in range(3))
    cache.put(first, {"n": 1})
    assert cache.directory is not None
    shutil.rmtree(cache.directory / "ab")
    cache.put(lost, {"n": 2})
    cache.put(later, {"n": 3})
    assert cache.get(first) is None
    assert cache.get(later) == {"n": 3}


def test_a_value_that_holds_itself_is_not_stored(tmp_path: Path) -> None:
    """The codec writes without json's check for cycles: one is refused all the same."""
    cache = Cache(tmp_path)
    loop: list[object] = ["a"]
    loop.append(loop)
    key = "cd" + "0" * 62
    assert cache.put(key, loop) is None
    assert cache.get(key) is None
    assert cache.put(key, ["a", ["b"]]) is not None
    assert cache.get(key) == ["a", ["b"]]


# -- packs of parse results --------------------------------------------------------------


def _result_keys(count: int) -> list[str]:
    """``count`` keys of one pack: parse results sharing their first two characters."""
    keys: dict[str, list[str]] = {}
    number = 0
    while True:
        key = Cache.key("terraform", f"{number}.tf", "x")
        keys.setdefault(key[:2], []).append(key)
        if len(keys[key[:2]]) == count:
            return keys[key[:2]]
        number += 1


def _pack(cache: Cache, key: str) -> Path:
    assert cache.directory is not None
    return cache.directory / f"{key[:2]}.pack"


def test_a_scan_stores_its_parse_results_in_packs_not_a_file_each(
    _cache_of_its_own: Path,
) -> None:
    """Creating a file per result cost a cold scan of 5,000 files up to 1.9 s of CPU."""
    expected = scan_json("fixtures", "--no-cache")
    assert scan_json("fixtures") == expected
    results = stored_results(_cache_of_its_own)
    files = [p for p in _cache_of_its_own.rglob("*") if p.is_file()]
    packs = [p for p in files if p.name.endswith(".pack")]
    assert len(results) > 150
    assert len(packs) <= 256
    # beside the packs: the command's replay, the request, the path patterns' answers
    assert len(files) - len(packs) <= 4, [p.name for p in files if p not in packs]
    assert scan_json("fixtures") == expected  # read back


def test_results_in_one_pack_are_each_read_back(tmp_path: Path) -> None:
    first, second = _result_keys(2)
    cache = Cache(tmp_path, fingerprint="7" * 16)
    cache.put_result(first, ["first", 1])
    cache.put_result(second, ("second",))
    assert [p.name for p in tmp_path.rglob("*.pack")] == [f"{first[:2]}.pack"]
    reader = Cache(tmp_path, fingerprint="7" * 16)
    assert reader.get_result(second) == ("second",)
    assert reader.get_result(first) == ["first", 1]
    assert Cache(tmp_path, fingerprint="7" * 16).get_result(Cache.key("t", "f", "y")) is None


def test_a_damaged_pack_is_rewritten_with_the_records_before_the_damage(
    tmp_path: Path,
) -> None:
    """Records appended after garbage could never be read: the reader that finds it
    keeps what came before and drops the rest, so later ones are read again."""
    first, second, third = _result_keys(3)
    cache = Cache(tmp_path, fingerprint="8" * 16)
    cache.put_result(first, "first")
    pack = _pack(cache, first)
    with pack.open("ab") as stream:
        stream.write(b"\x80\x05 garbage that is no record header at all, long enough to tell\n")
    cache.put_result(second, "second")
    reader = Cache(tmp_path, fingerprint="8" * 16)
    assert reader.get_result(second) is None
    assert reader.get_result(first) == "first"
    assert sorted(stored_results(tmp_path)) == [first]  # rewritten
    cache.put_result(third, "third")
    assert Cache(tmp_path, fingerprint="8" * 16).get_result(third) == "third"


def test_a_record_cut_short_by_a_crash_costs_only_itself(tmp_path: Path) -> None:
    first, second, third = _result_keys(3)
    cache = Cache(tmp_path, fingerprint="9" * 16)
    cache.put_result(first, "first")
    pack = _pack(cache, first)
    pack.write_bytes(pack.read_bytes() + f"{second} 500\n".encode() + b'[3,"')
    cache.put_result(third, "third")  # after the crashed writer's half record
    reader = Cache(tmp_path, fingerprint="9" * 16)
    assert reader.get_result(third) is None
    assert reader.get_result(first) == "first"
    cache.put_result(third, "third")
    assert Cache(tmp_path, fingerprint="9" * 16).get_result(third) == "third"


def test_a_record_cut_short_by_a_full_disk_does_not_cost_the_pack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iacguard import cache as cache_module

    first, second, third = _result_keys(3)
    cache = Cache(tmp_path, fingerprint="a" * 16)
    cache.put_result(first, "first")
    write = os.write
    monkeypatch.setattr(cache_module.os, "write", lambda fd, data: write(fd, data[:10]))
    cache.put_result(second, "second")
    monkeypatch.setattr(cache_module.os, "write", write)
    cache.put_result(third, "third")
    reader = Cache(tmp_path, fingerprint="a" * 16)
    assert reader.get_result(first) == "first"
    assert reader.get_result(second) is None
    assert reader.get_result(third) == "third"


def test_a_pack_past_its_limit_keeps_its_newest_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from iacguard import cache as cache_module

    monkeypatch.setattr(cache_module, "PACK_LIMIT", 2_000)
    keys = _result_keys(8)
    cache = Cache(tmp_path, fingerprint="b" * 16)
    for number, key in enumerate(keys):
        cache.put_result(key, [number, "y" * 300])
    pack = _pack(cache, keys[0])
    assert pack.stat().st_size <= 2_000
    kept = [key for key in keys if Cache(tmp_path, fingerprint="b" * 16).get_result(key)]
    assert kept == keys[-len(kept) :]
    assert 2 <= len(kept) < len(keys)


def test_a_pack_record_is_read_by_the_codec_and_for_its_own_key_only(tmp_path: Path) -> None:
    """A record is an entry like any other: what would run code, or another key's
    result moved under this key, is a miss."""
    import pickle

    first, second = _result_keys(2)
    cache = Cache(tmp_path, fingerprint="c" * 16)
    cache.put_result(first, "first")
    pack = _pack(cache, first)
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps(Payload())
    moved = stored_results(tmp_path)[first]
    pack.write_bytes(
        f"{first} {len(payload)}\n".encode() + payload + b"\n"
        + f"{second} {len(moved)}\n".encode() + moved + b"\n"
    )  # fmt: skip
    reader = Cache(tmp_path, fingerprint="c" * 16)
    assert reader.get_result(first) is None
    assert reader.get_result(second) is None
    assert not marker.exists()


def test_packs_are_read_only_through_the_private_directory_checked_first(
    tmp_path: Path,
) -> None:
    root = tmp_path / "shared-root"
    first, second = _result_keys(2)
    cache = Cache(root, fingerprint="d" * 16)
    cache.put_result(first, "genuine")
    cache.put_result(second, "genuine too")
    assert cache.directory is not None
    planted = Cache(tmp_path / "attacker", fingerprint="d" * 16)
    planted.put_result(first, "planted")
    planted.put_result(second, "planted")
    reader = Cache(root, fingerprint="d" * 16)
    assert reader.get_result(first) == "genuine"  # the pack is read: the handle is open
    cache.directory.rename(root / "moved-away")
    cache.directory.symlink_to(planted.directory)  # type: ignore[arg-type]
    fresh = Cache(root, fingerprint="d" * 16)
    assert fresh.get_result(second) is None  # a link is never trusted

    (root / "moved-away").rename(root / "private")
    (root / "private").chmod(0o777)  # anyone may now plant a record
    assert Cache(tmp_path, fingerprint="d" * 16).get_result(second) is None


def test_a_write_that_fails_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A named entry and a pack rewritten are written aside and renamed into place; when
    the rename fails (a full disk, a file open elsewhere on Windows) nothing is left."""
    first, second = _result_keys(2)
    cache = Cache(tmp_path, fingerprint="e" * 16)
    cache.put_result(first, "first")
    with _pack(cache, first).open("ab") as stream:
        stream.write(b"garbage that is no record header at all, long enough to tell apart\n")

    def fail(self: Cache, source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Cache, "_replace", fail)
    cache.put(Cache.key("terraform", "main.tf", "x"), "named")
    assert Cache(tmp_path, fingerprint="e" * 16).get_result(second) is None  # rewrites
    assert [p.name for p in tmp_path.rglob("*") if p.name.endswith(".tmp")] == []
    monkeypatch.undo()
    assert Cache(tmp_path, fingerprint="e" * 16).get_result(first) == "first"

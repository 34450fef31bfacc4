"""The safe YAML reader: each hostile file gets one exact one-line error; positions are right.

Every hostile input is checked twice: through the reader (`read_document`) and through
`draaiboek validate` (the finding's exact line, exit 1, no traceback). The position of the
finding shows where the reader stopped (the 199th alias, the 65th level), so a reader that
expanded a bomb first would fail here; how fast hostile files are refused is a row of
benchmarks/run.py (`hostile`), not a wall-clock bound in a test.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from draaiboek.load.documents import read_document
from draaiboek.load.yamlread import MAX_BYTES, MAX_DEPTH, MAX_NODES, YamlProblem, decode, read_yaml
from draaiboek.model.runbook import Finding

if TYPE_CHECKING:
    from click.testing import Result

RunCli = Callable[[list[str]], "Result"]

VALID_RUNBOOK = Path(__file__).resolve().parent / "corpus" / "valid" / "sub-procedure.yaml"


def _billion_laughs() -> str:
    lines = ["a: &a [" + ", ".join(["lol"] * 9) + "]"]
    for level in range(1, 9):  # 9 levels of 9 aliases: 9**9 values once expanded
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _quadratic() -> str:
    # One wide anchor, aliased many times: no nesting, but width x count values.
    return "a: &a [" + ", ".join(["x"] * 1000) + "]\nb: [" + ", ".join(["*a"] * 1000) + "]\n"


def _reject(path: Path, run_cli: RunCli, code: str, line: int, column: int) -> Finding:
    """Assert the file gets exactly one finding `code` at line:column, in the reader and the CLI."""
    document, findings = read_document(path)
    assert document is None
    assert [(f.code, f.line, f.column) for f in findings] == [(code, line, column)]
    finding = findings[0]
    assert finding.message and "\n" not in finding.message

    result = run_cli(["validate", str(path)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stdout.splitlines() == [
        f"{path}:{line}:{column}: error: {finding.message} [{code}]",
        "1 file checked: 1 error",
    ]
    return finding


def _write(tmp_path: Path, content: str | bytes, name: str = "hostile.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


# --- alias bombs and nesting -------------------------------------------------------------------


def test_billion_laughs(tmp_path: Path, run_cli: RunCli) -> None:
    finding = _reject(_write(tmp_path, _billion_laughs()), run_cli, "too-many-nodes", 6, 12)
    assert str(MAX_NODES) in finding.message


def test_quadratic_alias_blow_up(tmp_path: Path, run_cli: RunCli) -> None:
    # The 199th alias of a 1001-value anchor passes the limit: column 5 + 4 * 198.
    _reject(_write(tmp_path, _quadratic()), run_cli, "too-many-nodes", 2, 797)


def test_too_many_plain_values_without_aliases() -> None:
    text = "[" + ", ".join(["1"] * (MAX_NODES + 10)) + "]\n"
    with pytest.raises(YamlProblem) as caught:
        read_yaml(text)
    problem = caught.value
    # The sequence itself is value 1; value MAX_NODES + 1 is item MAX_NODES, at 2 + 3 * (n - 1).
    assert (problem.code, problem.line, problem.column) == (
        "too-many-nodes",
        1,
        2 + 3 * (MAX_NODES - 1),
    )


def test_deep_flow_nesting(tmp_path: Path, run_cli: RunCli) -> None:
    finding = _reject(_write(tmp_path, "[" * 100_000), run_cli, "too-deep", 1, MAX_DEPTH + 1)
    assert str(MAX_DEPTH) in finding.message


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("{a: " * 100_000, 4 * MAX_DEPTH + 1),  # flow mappings
        ("[" + "x, " * 300 + "[" * 2_000, 1 + 3 * 300 + MAX_DEPTH),  # deep after a wide start
    ],
)
def test_deep_flow_nesting_of_every_shape(
    tmp_path: Path, run_cli: RunCli, text: str, column: int
) -> None:
    # libyaml (PyYAML >= 6.0.2) stops at its own depth of 1000 before the reader sees level 65;
    # the reader's limit and position must hold whatever the libyaml version does.
    _reject(_write(tmp_path, text), run_cli, "too-deep", 1, column)


def test_deep_block_nesting(tmp_path: Path, run_cli: RunCli) -> None:
    # "- " is two characters: the 65th level starts at column 2 * 64 + 1.
    _reject(_write(tmp_path, "- " * 100_000 + "x\n"), run_cli, "too-deep", 1, 2 * MAX_DEPTH + 1)


def test_nesting_up_to_the_limit_is_read() -> None:
    data, _ = read_yaml("[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))
    depth = 0
    while isinstance(data, list) and data:
        data, depth = data[0], depth + 1
    assert depth == MAX_DEPTH - 2


# --- size, encoding, binary --------------------------------------------------------------------


def test_file_over_the_size_limit_sparse(tmp_path: Path, run_cli: RunCli) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: quick to write, and NUL bytes
    finding = _reject(path, run_cli, "too-large", 1, 1)
    assert "4 MiB" in finding.message


def test_text_file_over_the_size_limit(tmp_path: Path, run_cli: RunCli) -> None:
    # Valid UTF-8 text, so that the size limit (not the binary check) is what refuses it.
    line = "- Calamiteitencoördinator belt 112 ✓\n"
    count = MAX_BYTES // len(line.encode("utf-8")) + 1
    path = _write(tmp_path, "format: draaiboek/1\nsteps:\n" + line * count)
    assert path.stat().st_size > MAX_BYTES
    _reject(path, run_cli, "too-large", 1, 1)


def test_decode_refuses_too_many_bytes_itself() -> None:
    with pytest.raises(YamlProblem) as caught:
        decode(b"a" * (MAX_BYTES + 1))
    assert caught.value.code == "too-large"


def test_a_file_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "a: " + "x" * (MAX_BYTES - 4) + "\n")
    assert path.stat().st_size == MAX_BYTES
    document, findings = read_document(path)
    assert document is None
    assert [(f.code, f.line, f.column) for f in findings] == [("unknown-format", 1, 1)]


def test_empty_file(tmp_path: Path, run_cli: RunCli) -> None:
    _reject(_write(tmp_path, ""), run_cli, "empty", 1, 1)


def test_comment_only_file(tmp_path: Path, run_cli: RunCli) -> None:
    _reject(_write(tmp_path, "# alleen commentaar\n\n# nog meer\n"), run_cli, "empty", 1, 1)


def test_non_utf8_bytes(tmp_path: Path, run_cli: RunCli) -> None:
    # Latin-1 é (0xE9) on line 3, after "title: Caf".
    raw = b"format: draaiboek/1\nid: koffie\ntitle: Caf\xe9\n"
    finding = _reject(_write(tmp_path, raw), run_cli, "not-utf8", 3, 11)
    assert "UTF-8" in finding.message


def test_non_utf8_column_counts_characters() -> None:
    # The YAML parser's columns count characters; "ë" is two bytes but one column.
    with pytest.raises(YamlProblem) as caught:
        decode("title: Coördinatie ".encode() + b"\xe9\n")
    assert (caught.value.line, caught.value.column) == (1, len("title: Coördinatie ") + 1)


def test_nul_byte(tmp_path: Path, run_cli: RunCli) -> None:
    _reject(_write(tmp_path, b"format: draaiboek/1\nid: a\x00b\n"), run_cli, "binary", 2, 6)


def test_png_header(tmp_path: Path, run_cli: RunCli) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
    # The first NUL follows two line breaks (\r\n and \n): line 3, column 1.
    finding = _reject(_write(tmp_path, png, "plaatje.yaml"), run_cli, "binary", 3, 1)
    assert "binary" in finding.message


def test_control_character(tmp_path: Path, run_cli: RunCli) -> None:
    finding = _reject(
        _write(tmp_path, "format: draaiboek/1\nid: bel\x07\n"), run_cli, "binary", 2, 8
    )
    assert "U+0007" in finding.message


def test_utf8_bom_is_accepted(tmp_path: Path, run_cli: RunCli) -> None:
    path = _write(tmp_path, b"\xef\xbb\xbf" + VALID_RUNBOOK.read_bytes(), "bom.yaml")
    document, findings = read_document(path)
    assert findings == []
    assert document is not None and document.data["id"] == "sub-procedure"
    result = run_cli(["validate", str(path), "--runbooks", str(VALID_RUNBOOK.parent)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "1 file checked: all valid\n"


def test_bom_does_not_shift_positions() -> None:
    data, positions = read_yaml(decode(b"\xef\xbb\xbfformat: x\nid: y\n"))
    assert data == {"format": "x", "id": "y"}
    assert positions.keys[("format",)] == (1, 1)
    assert positions.values[("id",)] == (2, 5)


# --- document structure ------------------------------------------------------------------------


def test_several_documents(tmp_path: Path, run_cli: RunCli) -> None:
    text = "format: draaiboek/1\nid: een\n---\nformat: draaiboek/1\nid: twee\n"
    _reject(_write(tmp_path, text), run_cli, "several-documents", 3, 1)


def test_one_document_with_explicit_markers_is_fine() -> None:
    data, _ = read_yaml("---\nformat: draaiboek/1\n...\n")
    assert data == {"format": "draaiboek/1"}


def test_top_level_list(tmp_path: Path, run_cli: RunCli) -> None:
    finding = _reject(
        _write(tmp_path, "- format: draaiboek/1\n- id: x\n"), run_cli, "not-a-mapping", 1, 1
    )
    assert "a list" in finding.message


def test_top_level_scalar(tmp_path: Path, run_cli: RunCli) -> None:
    finding = _reject(_write(tmp_path, "draaiboek\n"), run_cli, "not-a-mapping", 1, 1)
    assert "a single value" in finding.message


def test_syntax_error(tmp_path: Path, run_cli: RunCli) -> None:
    finding = _reject(
        _write(tmp_path, "format: draaiboek/1\nid: [a, b\ntitle: x\n"), run_cli, "yaml-syntax", 3, 6
    )
    assert finding.message.startswith("invalid YAML: ")


# --- tags: nothing is ever constructed ---------------------------------------------------------


def test_an_object_tag_would_run_code_if_constructed(tmp_path: Path) -> None:
    # A control: the payload used below really executes under an unsafe loader.
    marker = tmp_path / "control"
    yaml.unsafe_load(f"a: !!python/object/apply:os.mkdir [{str(marker)!r}]\n")
    assert marker.is_dir()


@pytest.mark.parametrize(
    ("template", "column"),
    [
        ("a: !!python/object/apply:os.mkdir [{marker!r}]\n", 4),
        ('a: !!python/object/apply:os.system ["touch {marker}"]\n', 4),
        ("a: !!python/object/apply:os.system {{args: ['touch {marker}']}}\n", 4),
        ("a: !!python/object/new:pathlib.Path [{marker!r}]\n", 4),
        ("a: !!python/name:os.system ''\n", 4),
        ("a: !!python/module:os ''\n", 4),
        ("- !!python/object/apply:os.mkdir\n  - {marker!r}\n", 3),
    ],
    ids=["apply-mkdir", "apply-system", "apply-mapping", "new", "name", "module", "block"],
)
def test_object_tags_are_refused_and_never_run(
    tmp_path: Path, run_cli: RunCli, template: str, column: int
) -> None:
    marker = tmp_path / "marker"
    path = _write(tmp_path, template.format(marker=str(marker)))
    finding = _reject(path, run_cli, "yaml-tag", 1, column)
    assert "plain data only" in finding.message
    assert not marker.exists()


def test_custom_tag(tmp_path: Path, run_cli: RunCli) -> None:
    finding = _reject(
        _write(tmp_path, "format: draaiboek/1\nid: !eigen waarde\n"), run_cli, "yaml-tag", 2, 5
    )
    assert "'!eigen'" in finding.message


@pytest.mark.parametrize("tag", ["!!binary aGFsbG8=", "!!set {a, b}", "!!omap [{a: 1}]"])
def test_other_standard_types_are_refused(tmp_path: Path, run_cli: RunCli, tag: str) -> None:
    _reject(_write(tmp_path, f"format: draaiboek/1\nid: {tag}\n"), run_cli, "yaml-tag", 2, 5)


def test_standard_tags_for_plain_data_are_allowed() -> None:
    data, _ = read_yaml(
        "a: !!str 12\nb: !!int '7'\nc: !!float 1\nd: !!bool true\ne: !!null ''\n"
        "f: !!seq [1]\ng: !!map {x: 1}\n"
    )
    assert data == {"a": "12", "b": 7, "c": 1.0, "d": True, "e": None, "f": [1], "g": {"x": 1}}


def test_merge_keys(tmp_path: Path, run_cli: RunCli) -> None:
    text = "format: draaiboek/1\nbasis: &basis {role: caco}\nstap:\n  <<: *basis\n  title: x\n"
    finding = _reject(_write(tmp_path, text), run_cli, "yaml-tag", 4, 3)
    assert "merge keys" in finding.message


def test_undefined_alias(tmp_path: Path, run_cli: RunCli) -> None:
    finding = _reject(
        _write(tmp_path, "format: draaiboek/1\nid: *nergens\n"), run_cli, "yaml-alias", 2, 5
    )
    assert "*nergens" in finding.message


def test_aliases_within_the_limit_are_expanded() -> None:
    data, _ = read_yaml("rol: &r caco\nstappen: [*r, *r]\nlijst: &l [1, 2]\nook: *l\n")
    assert data == {"rol": "caco", "stappen": ["caco", "caco"], "lijst": [1, 2], "ook": [1, 2]}


# --- duplicate keys ----------------------------------------------------------------------------


def test_duplicate_top_level_key(tmp_path: Path, run_cli: RunCli) -> None:
    text = "format: draaiboek/1\nid: een\ntitle: x\nid: twee\n"
    finding = _reject(_write(tmp_path, text), run_cli, "duplicate-key", 4, 1)
    # The finding stands at the second key; the message names where the first one is.
    assert "'id'" in finding.message and "line 2" in finding.message


def test_duplicate_nested_key(tmp_path: Path, run_cli: RunCli) -> None:
    text = "format: draaiboek/1\nsteps:\n  begin:\n    type: action\n    next: a\n    type: end\n"
    finding = _reject(_write(tmp_path, text), run_cli, "duplicate-key", 6, 5)
    assert "'type'" in finding.message and "line 4" in finding.message


def test_duplicate_key_in_a_flow_mapping_inside_a_list() -> None:
    with pytest.raises(YamlProblem) as caught:
        read_yaml("options:\n  - {id: ja, label: Ja, id: nee}\n")
    problem = caught.value
    assert (problem.code, problem.line, problem.column) == ("duplicate-key", 2, 25)
    assert "line 2" in problem.message


def test_same_key_in_different_mappings_is_fine() -> None:
    data, _ = read_yaml("a: {id: 1}\nb: {id: 2}\n")
    assert data == {"a": {"id": 1}, "b": {"id": 2}}


def test_non_scalar_key(tmp_path: Path, run_cli: RunCli) -> None:
    _reject(_write(tmp_path, "format: draaiboek/1\n? [a, b]\n: c\n"), run_cli, "yaml-key", 2, 3)


# --- positions ---------------------------------------------------------------------------------

_POSITIONS_TEXT = """\
title: Hallo
steps:
  a:
    next: b
    list:
      - x
      - {k: v}
flow: [1, 22, 3]
quoted: "yes"
"""


def test_positions_of_values_keys_and_items() -> None:
    data, positions = read_yaml(_POSITIONS_TEXT)
    assert data == {
        "title": "Hallo",
        "steps": {"a": {"next": "b", "list": ["x", {"k": "v"}]}},
        "flow": [1, 22, 3],
        "quoted": "yes",
    }
    values = positions.values
    assert values[("title",)] == (1, 8)
    assert values[("steps", "a", "next")] == (4, 11)
    assert values[("steps", "a", "list")] == (6, 7)  # a block list starts at its first dash
    assert values[("steps", "a", "list", 0)] == (6, 9)
    assert values[("steps", "a", "list", 1)] == (7, 9)
    assert values[("steps", "a", "list", 1, "k")] == (7, 13)
    assert values[("flow",)] == (8, 7)
    assert [values[("flow", i)] for i in range(3)] == [(8, 8), (8, 11), (8, 15)]
    assert values[("quoted",)] == (9, 9)
    keys = positions.keys
    assert keys[("title",)] == (1, 1)
    assert keys[("steps",)] == (2, 1)
    assert keys[("steps", "a")] == (3, 3)
    assert keys[("steps", "a", "next")] == (4, 5)
    assert keys[("steps", "a", "list", 1, "k")] == (7, 10)


def test_positions_fall_back_to_the_nearest_parent() -> None:
    _, positions = read_yaml(_POSITIONS_TEXT)
    # A missing key is reported where its parent mapping is.
    assert positions.of_value(("steps", "a", "title")) == positions.values[("steps", "a")]
    assert positions.of_value(("nothing", "here")) == positions.values[()]
    assert positions.of_key(("steps", "a")) == (3, 3)
    assert positions.of_key(("steps", "a", "list", 0)) == (6, 9)  # no key: the value


def test_positions_count_characters_not_bytes() -> None:
    _, positions = read_yaml("titel: Coördinatie ✓\nrol: {naam: é, id: x}\n")
    assert positions.values[("rol", "id")] == (2, 20)


def test_scalars_as_an_editor_reads_them() -> None:
    data, _ = read_yaml(
        "a: yes\nb: off\nc: 0x1F\nd: 0o17\ne: 017\nf: 1_000\ng: 1:30\nh: .inf\ni: -.inf\n"
        "j: 2099-12-31\nk: ~\nl: '1.0'\nm: 1.5e+3\nn: 1.5e3\n"
    )
    # PyYAML's YAML 1.1 resolution, except the surprises YAML 1.2 removed: yes/off stay text
    # (an option labelled No is not false), 017 is not octal, 1:30 is not the number 90 ...
    assert data == {
        "a": "yes",
        "b": "off",
        "c": 31,
        "d": "0o17",
        "e": "017",
        "f": 1000,
        "g": "1:30",
        "h": math.inf,
        "i": -math.inf,
        "j": "2099-12-31",
        "k": None,
        "l": "1.0",
        "m": 1500.0,
        "n": "1.5e3",
    }
    # ... except that a date stays text: the schema checks its form.
    assert isinstance(yaml.safe_load("j: 2099-12-31")["j"], date)
    nan, _ = read_yaml("x: .nan\n")
    assert math.isnan(nan["x"])


# Printable text only: the reader refuses control characters, and PyYAML itself does not round
# trip line separators such as U+0085.
_TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp")), max_size=12)
_KEYS = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp")), min_size=1, max_size=8
)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=False, width=64)
    | _TEXT
)
_DATA = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None)
@given(data=st.dictionaries(_KEYS, _DATA, min_size=1, max_size=5), flow=st.booleans())
def test_reader_agrees_with_pyyaml_on_plain_data(data: dict[str, Any], flow: bool) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    read, positions = read_yaml(text)
    assert read == data
    assert read == yaml.safe_load(text)
    assert all(line >= 1 and column >= 1 for line, column in positions.values.values())
    assert set(positions.keys) <= set(positions.values)

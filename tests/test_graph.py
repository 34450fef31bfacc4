"""The decision graph: shapes, edges, escaping, and output that Graphviz parses."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_run import runner  # settings from the developer's shell cleared
from hypothesis import given
from hypothesis import strategies as st

import draaiboek.cli.author  # noqa: F401  (registers the commands)
from draaiboek.cli.app import app
from draaiboek.load.build import build_runbook
from draaiboek.load.documents import read_document
from draaiboek.model.runbook import Runbook
from draaiboek.model.text import CONTROL, visible
from draaiboek.services import graph

CORPUS = Path(__file__).parent / "corpus" / "valid"
EXAMPLE = CORPUS / "every-step-type.yaml"
HOSTILE_TEXT = 'Kwaad "q" [b] {c} (d) |e| <f> #g &h; \\ `x` %%\nregel twee'
HOSTILE = json.dumps(HOSTILE_TEXT)  # a JSON string is a valid YAML double-quoted scalar


def load(path: Path) -> Runbook:
    document, findings = read_document(path)
    assert document is not None and document.schema_valid, findings
    return build_runbook(document)


def variant(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    target = tmp_path / "every-step-type.yaml"
    target.write_text(text, encoding="utf-8")
    shutil.copy(CORPUS / "sub-procedure.yaml", tmp_path / "sub-procedure.yaml")
    shutil.copy(CORPUS / "contacts.yaml", tmp_path / "contacts.yaml")
    return target


def hostile(tmp_path: Path) -> Path:
    return variant(
        tmp_path,
        ('"Vanuit geen enkel netwerk"', HOSTILE),
        ('"Bel 112 testen"', HOSTILE),
        ('"Is 112 bereikbaar?"', HOSTILE),
    )


_NODE = re.compile(r"^    (s_[a-z0-9_]+)(\{|\[/|\[\[|\(\[|\[)\"(.*)\"(\}|/\]|\]\]|\]\)|\])$")
_EDGE = re.compile(r"^    (\S+) -->(?:\|\"(.*)\"\|)? (\S+)$")


Edge = tuple[str, str | None, str]


def parse_mermaid(text: str) -> tuple[dict[str, tuple[str, str]], list[Edge]]:
    nodes: dict[str, tuple[str, str]] = {}
    edges: list[Edge] = []
    for line in text.splitlines():
        if match := _NODE.match(line):
            nodes[match[1]] = (match[2], match[3])
        elif match := _EDGE.match(line):
            edges.append((match[1], match[2], match[3]))
    return nodes, edges


def assert_clean_label(label: str) -> None:
    """Nothing left that Mermaid's grammar would read: only entities and our own line breaks."""
    bare = re.sub(r"#\w+;", "", label.replace("<br/>", ""))
    for char in '"[]{}()|<>#`\\\n':
        assert char not in bare, (char, label)


def test_walking_order_is_breadth_first_from_start() -> None:
    runbook = load(EXAMPLE)
    assert graph.walking_order(runbook) == [
        "vaststellen",
        "testbellen",
        "klaar",
        "lijst",
        "starttijd",
        "nlalert",
    ]


def test_mermaid_has_every_step_typed_and_every_edge_labelled() -> None:
    runbook = load(EXAMPLE)
    nodes, edges = parse_mermaid(graph.render(runbook, "mermaid", "nl"))
    shapes = {step_id: nodes[f"s_{step_id}"][0] for step_id in runbook.steps}
    assert shapes == {
        "vaststellen": "{",
        "testbellen": "[",
        "lijst": "[",
        "starttijd": "[/",
        "nlalert": "[[",
        "klaar": "([",
    }
    assert "sub-procedure" in nodes["s_nlalert"][1]
    assert "Einde: opgelost" in nodes["s_klaar"][1]
    assert "☑" in nodes["s_lijst"][1]
    assert ("start_node", None, "s_vaststellen") in edges
    for step in runbook.steps.values():
        for option in step.options:
            assert (f"s_{step.id}", option.label.get("nl"), f"s_{option.next}") in edges
        if step.next:
            assert (f"s_{step.id}", None, f"s_{step.next}") in edges
    assert len(edges) == 1 + 2 + 4


def test_english_labels() -> None:
    text = graph.render(load(EXAMPLE), "mermaid", "en")
    assert "From no network" in text and "End: resolved" in text and "Vanuit" not in text


def test_hostile_labels_are_escaped_in_mermaid(tmp_path: Path) -> None:
    text = graph.render(load(hostile(tmp_path)), "mermaid", "nl")
    nodes, edges = parse_mermaid(text)
    assert set(nodes) == {f"s_{s}" for s in load(EXAMPLE).steps}
    for _, label in nodes.values():
        assert_clean_label(label)
    labelled = [label for _, label, _ in edges if label is not None]
    assert len(labelled) == 2
    for label in labelled:
        assert_clean_label(label)
    assert "#quot;q#quot;" in text and "#lt;f#gt;" in text and "#124;e#124;" in text
    assert "#35;g" in text and "<br/>regel twee" in text


@given(st.text())
def test_mermaid_escaping_leaves_nothing_special(text: str) -> None:
    assert_clean_label(graph.mermaid_text(text).replace("\r", ""))
    assert CONTROL.search(graph.mermaid_text(text)) is None  # written out, never raw


@given(st.text())
def test_dot_escaping_round_trips(text: str) -> None:
    escaped = graph.dot_text(text)
    assert re.search(r'(?<!\\)(\\\\)*"', escaped) is None  # no unescaped quote
    back = re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m[1], m[1]), escaped)
    # control characters are shown written out (model.text.visible), tabs as spaces
    assert back == visible(text).replace("\t", " ")
    assert CONTROL.search(escaped) is None


def test_dot_shapes_and_edges() -> None:
    text = graph.render(load(EXAMPLE), "dot", "nl")
    assert '"vaststellen" [shape=diamond' in text
    assert '"starttijd" [shape=parallelogram' in text
    assert '"nlalert" [shape=box, peripheries=2' in text
    assert '"vaststellen" -> "testbellen" [label="Vanuit geen enkel netwerk"];' in text
    assert '"start_node" -> "vaststellen";' in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
@pytest.mark.parametrize("make", [lambda p: EXAMPLE, hostile])
def test_dot_output_parses_with_graphviz(tmp_path: Path, make: object) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    text = graph.render(load(path), "dot", "nl")
    done = subprocess.run(["dot", "-Tsvg"], input=text.encode(), capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()
    svg = done.stdout.decode()
    if path != EXAMPLE:
        assert "&lt;f&gt;" in svg and "|e|" in svg and "regel twee" in svg
        assert "\\ `x`" in svg


def test_a_dangling_next_is_drawn_as_missing(tmp_path: Path) -> None:
    path = variant(tmp_path, ("next: lijst", "next: lijstje"))
    result = runner.invoke(app, ["graph", str(path)])
    assert result.exit_code == 1
    assert "s_lijstje[" in result.stdout and "ontbrekende stap: lijstje" in result.stdout
    assert "fout(en)" in result.stderr
    result = runner.invoke(app, ["graph", str(path), "--lang", "en"])
    assert result.exit_code == 1 and "missing step: lijstje" in result.stdout
    assert "error" in result.stderr


def test_cli_graph(tmp_path: Path) -> None:
    result = runner.invoke(app, ["graph", str(EXAMPLE), "--format", "dot", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith('digraph "every-step-type"')
    result = runner.invoke(app, ["graph", "every-step-type", "--runbooks", str(CORPUS)])
    assert result.exit_code == 0 and "flowchart TD" in result.stdout
    assert runner.invoke(app, ["graph", str(EXAMPLE), "--format", "svg"]).exit_code == 2
    assert runner.invoke(app, ["graph", str(tmp_path / "nope.yaml")]).exit_code == 2
    missing = runner.invoke(app, ["graph", "nope", "--runbooks", str(CORPUS)])
    assert missing.exit_code == 2 and "nope" in missing.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: draaiboek/1\nid: x\n", encoding="utf-8")
    result = runner.invoke(app, ["graph", str(broken)])
    assert result.exit_code == 1 and "broken.yaml:" in result.stderr
    assert "Traceback" not in result.output

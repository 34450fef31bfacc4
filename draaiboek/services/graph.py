"""The decision graph of a runbook as Mermaid or Graphviz DOT text (the `graph` service).

Each step type has its own shape, so an author sees the structure without reading labels:
decision = rhombus, action = rectangle, checklist = rectangle marked ☑ (with its item count),
input = parallelogram, runbook = subroutine / double border (with the sub-runbook id), end =
stadium / rounded box (with the outcome). Option labels stand on the edges.

Every label is escaped so that the output always parses, whatever an author typed: Mermaid gets
`["..."]` labels with `#entity;` codes for the characters its grammar treats specially, DOT
gets double-quoted strings with backslash escapes.
"""

from __future__ import annotations

import textwrap
from collections import deque

from draaiboek.model.catalogue import LANGUAGES, Messages
from draaiboek.model.runbook import Runbook, Step
from draaiboek.model.text import visible

FORMATS = ("mermaid", "dot")

# Mermaid decodes `#name;` and `#123;` inside labels. Everything its grammar gives a meaning to
# (quotes end the label, brackets/braces/parens end shapes, pipes end edge labels, `#` starts an
# entity, `<`/`&` are HTML in the rendered SVG, backticks start markdown strings) becomes a code.
_MERMAID_CODES = {
    ord('"'): "#quot;",
    ord("#"): "#35;",
    ord("&"): "#amp;",
    ord("<"): "#lt;",
    ord(">"): "#gt;",
    ord("|"): "#124;",
    ord("["): "#91;",
    ord("]"): "#93;",
    ord("{"): "#123;",
    ord("}"): "#125;",
    ord("("): "#40;",
    ord(")"): "#41;",
    ord("`"): "#96;",
    ord("\\"): "#92;",
    ord("\r"): " ",
    ord("\t"): " ",
}
_START = "start_node"  # step ids are [a-z0-9-], so this never clashes with a step


def walking_order(runbook: Runbook) -> list[str]:
    """Step ids breadth-first from start (successors in the order written), then the rest.

    The order a printed runbook numbers its steps in: the first steps a duty officer meets come
    first, and unreachable steps (a validation error, but still printable) are not lost.
    """
    order: list[str] = []
    seen: set[str] = set()
    queue = deque([runbook.start])
    while queue:
        step_id = queue.popleft()
        if step_id in seen or step_id not in runbook.steps:
            continue
        seen.add(step_id)
        order.append(step_id)
        queue.extend(runbook.steps[step_id].successors())
    order.extend(step_id for step_id in runbook.steps if step_id not in seen)
    return order


def label_lines(step: Step, runbook: Runbook, lang: str) -> list[str]:
    """The lines of a node's label: title, then what the shape alone does not say."""
    t = Messages(lang)
    title = step.title.get(lang) or step.id
    # Wrapped, so that one long title does not make the whole graph as wide as a wall.
    lines = wrap(("☑ " if step.type == "checklist" else "") + title)
    if step.type == "checklist":
        lines.append(t("graph.items", count=len(step.items)))
    elif step.type == "runbook":
        lines.append("↪ " + t("graph.runbook", id=step.runbook or "?"))
    elif step.type == "end":
        lines.append(t("graph.outcome", outcome=t.word("outcome", step.outcome or "?")))
    if step.critical:
        lines.append("⚠ " + t("graph.critical"))
    lines.append(f"[{step.id}]")
    return lines


def wrap(text: str, width: int = 40) -> list[str]:
    """Lines of at most `width` characters where possible; an author's own line breaks stay."""
    return [
        part
        for line in text.splitlines() or [""]
        for part in textwrap.wrap(line, width, break_long_words=False) or [""]
    ]


def _edges(runbook: Runbook, lang: str) -> list[tuple[str, str, str | None]]:
    edges: list[tuple[str, str, str | None]] = []
    for step_id in walking_order(runbook):
        step = runbook.steps[step_id]
        if step.type == "decision":
            edges.extend(
                (step_id, o.next, "\n".join(wrap(o.label.get(lang) or o.id, 30)))
                for o in step.options
            )
        elif step.next is not None:
            edges.append((step_id, step.next, None))
    return edges


def _missing(runbook: Runbook) -> list[str]:
    """Targets named by a `next` that no step has: drawn as a marked node, not silently."""
    wanted = [runbook.start] + [t for s in runbook.steps.values() for t in s.successors()]
    return list(dict.fromkeys(t for t in wanted if t not in runbook.steps))


# --- Mermaid -----------------------------------------------------------------------------------


def mermaid_text(text: str) -> str:
    return visible(text).translate(_MERMAID_CODES).replace("\n", "<br/>")


def _mermaid_id(step_id: str) -> str:
    # `end` is a Mermaid keyword and `-` reads as part of an arrow: prefix and replace.
    return "s_" + step_id.replace("-", "_")


_MERMAID_SHAPES = {
    "decision": ('{"', '"}'),
    "action": ('["', '"]'),
    "checklist": ('["', '"]'),
    "input": ('[/"', '"/]'),
    "runbook": ('[["', '"]]'),
    "end": ('(["', '"])'),
}


def mermaid(runbook: Runbook, lang: str) -> str:
    t = Messages(lang)
    out = [
        # Id and version are pattern-checked by the schema, so a comment line is safe for them.
        f"%% {runbook.id} {runbook.version}",
        "flowchart TD",
        f'    {_START}(("{mermaid_text(t("graph.start"))}"))',
    ]
    for step_id in walking_order(runbook):
        step = runbook.steps[step_id]
        opening, closing = _MERMAID_SHAPES.get(step.type, ('["', '"]'))
        label = "<br/>".join(mermaid_text(line) for line in label_lines(step, runbook, lang))
        out.append(f"    {_mermaid_id(step_id)}{opening}{label}{closing}")
    missing = _missing(runbook)
    for target in missing:
        label = mermaid_text("? " + t("graph.missing", id=target))
        out.append(f'    {_mermaid_id(target)}["{label}"]')
    out.append(f"    {_START} --> {_mermaid_id(runbook.start)}")
    for source, target, text in _edges(runbook, lang):
        arrow = "-->" if text is None else f'-->|"{mermaid_text(text)}"|'
        out.append(f"    {_mermaid_id(source)} {arrow} {_mermaid_id(target)}")
    ends = [_mermaid_id(s.id) for s in runbook.steps.values() if s.type == "end"]
    out.append("    classDef first stroke-width:3px")
    out.append("    classDef finish stroke-width:3px,fill:#e8f3e8")
    out.append("    classDef missing stroke-dasharray:5 5,fill:#fde8e8")
    out.append(f"    class {_START},{_mermaid_id(runbook.start)} first")
    if ends:
        out.append(f"    class {','.join(ends)} finish")
    if missing:
        out.append(f"    class {','.join(_mermaid_id(m) for m in missing)} missing")
    return "\n".join(out) + "\n"


# --- Graphviz DOT ------------------------------------------------------------------------------


def dot_text(text: str) -> str:
    """The inside of a DOT double-quoted string; a newline becomes DOT's own centred line break."""
    # A control character is written out first (model.text.visible), then escaped as text.
    cleaned = visible(text).replace("\\", "\\\\").replace('"', '\\"').replace("\t", " ")
    return cleaned.replace("\n", "\\n")


_DOT_SHAPES = {
    "decision": "shape=diamond",
    "action": "shape=box",
    "checklist": 'shape=box, style="filled", fillcolor="#f2f2f2"',
    "input": "shape=parallelogram",
    "runbook": "shape=box, peripheries=2",
    "end": 'shape=box, style="rounded,bold"',
}


def dot(runbook: Runbook, lang: str) -> str:
    t = Messages(lang)
    title = f"{runbook.title.get(lang)} ({runbook.id} {runbook.version})"
    out = [
        f'digraph "{dot_text(runbook.id)}" {{',
        f'    graph [label="{dot_text(title)}", labelloc=t, fontname="Helvetica"];',
        '    node [fontname="Helvetica"];',
        '    edge [fontname="Helvetica", fontsize=10];',
        f'    "{_START}" [shape=circle, style=bold, label="{dot_text(t("graph.start"))}"];',
    ]
    for step_id in walking_order(runbook):
        step = runbook.steps[step_id]
        label = "\\n".join(dot_text(line) for line in label_lines(step, runbook, lang))
        shape = _DOT_SHAPES.get(step.type, "shape=box")
        extra = ", penwidth=2" if step_id == runbook.start else ""
        out.append(f'    "{step_id}" [{shape}{extra}, label="{label}"];')
    for target in _missing(runbook):
        label = dot_text("? " + t("graph.missing", id=target))
        out.append(f'    "{dot_text(target)}" [shape=box, style=dashed, label="{label}"];')
    out.append(f'    "{_START}" -> "{runbook.start}";')
    for source, target, text in _edges(runbook, lang):
        attrs = "" if text is None else f' [label="{dot_text(text)}"]'
        out.append(f'    "{source}" -> "{dot_text(target)}"{attrs};')
    out.append("}")
    return "\n".join(out) + "\n"


def render(runbook: Runbook, output_format: str, lang: str) -> str:
    if output_format not in FORMATS:
        raise ValueError(f"unknown graph format {output_format!r}: choose mermaid or dot")
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}")
    return mermaid(runbook, lang) if output_format == "mermaid" else dot(runbook, lang)

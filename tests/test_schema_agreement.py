"""The schemas mean the same to draaiboek, to check-jsonschema and to an editor.

An author's editor (yaml-language-server) and check-jsonschema read `pattern` as ECMA-262;
draaiboek checks with jsonschema, which uses Python's `re`, and answers most files from its own
quick check. Where the dialects differ (`\\d` takes any Unicode digit in Python, `$` accepts a
trailing newline), a file would pass one and fail the other. So the patterns keep to what the
dialects share (ASCII classes, `$(?!\\n)` as the end), and here:

- every pattern of the four schemas gives the same answer in regress (check-jsonschema's ECMA
  engine, Unicode mode), in Python's `re` and in the quick check, on probes made to tell them
  apart and on every string of the corpus;
- check-jsonschema and draaiboek give the same verdict on every file of the corpus that the
  schema alone decides: files both read as the same data, whose format names a schema.

check-jsonschema runs from its own venv (the `tools` fixture in conftest.py).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from draaiboek.load.documents import read_document
from draaiboek.load.quickcheck import quick
from draaiboek.load.resources import SCHEMA_FILES

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO / "schemas"
CORPUS = sorted(
    path
    for folder in (REPO / "tests" / "corpus", REPO / "runbooks")
    for path in folder.rglob("*")
    if path.suffix in (".yaml", ".yml") and path.is_file()
)

# Files that check-jsonschema (ruamel.yaml, YAML 1.2) reads as other data than draaiboek: the
# schema does not decide those alone. Each is here on purpose; a new one fails the test.
READ_DIFFERENTLY: dict[str, str] = {}

# Strings that tell the dialects apart, tried on every pattern.
PROBES = [
    "",
    "nl",
    "ok-id",
    "ok-id\n",
    "\nok-id",
    "1.0.0",
    "1.0.0\n",
    "\u0661.0.0",  # ARABIC-INDIC DIGIT ONE: a digit to Python's \d, not to ECMA's
    "2027-01-01",
    "\uff12027-01-01",  # FULLWIDTH DIGIT TWO
    "2027-01-01\n",
    "PT15M",
    "PT15M\n",
    "P\u0661D",
    ">=1.0.0 <2.0.0",
    ">=1.0.0\u00a0<2.0.0",  # a no-break space: whitespace to both \s, not a space
    ">=1.0.0\x1c<2.0.0",  # whitespace to Python's \s only
    "2019-06-24T15:34:00+02:00",
    "2019-06-24T15:34:00+02:00\n",
    "+31 70 123 4567",
    "+31 70 123 4567\n",
    "https://example.org",
    "S1",
    "S1\n",
    "runbook/step",
    "runbook/step/item",
    "step/item\n",
]


def _patterns() -> Iterator[str]:
    def walk(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "pattern" and isinstance(value, str):
                    yield value
                else:
                    yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    for path in sorted(SCHEMAS.glob("*.schema.json")):
        yield from walk(json.loads(path.read_text(encoding="utf-8")))


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


@cache
def _read(path: Path) -> tuple[Any, str | None, bool]:
    """(data, format, schema_valid) as draaiboek reads the file; data None when it cannot."""
    document, _ = read_document(path)
    if document is None:
        return None, None, False
    return document.data, document.format, document.schema_valid


# Run in the tools venv: how check-jsonschema reads each file (its own YAML loader), and what
# regress (its ECMA-262 engine, with the Unicode flag as check-jsonschema sets it) says of each
# pattern on each string.
_PROBE = """
import json, sys
import regress
from check_jsonschema.parsers import ParserSet

request = json.load(sys.stdin)
parsers = ParserSet()
data = {}
for name in request["files"]:
    try:
        with open(name, "rb") as handle:
            data[name] = {"data": parsers.get(name, "yaml")(handle)}
    except Exception as exc:
        data[name] = {"error": type(exc).__name__}
found = {}
for pattern in request["patterns"]:
    regex = regress.Regex(pattern, flags="u")
    found[pattern] = [regex.find(text) is not None for text in request["strings"]]
json.dump({"data": data, "found": found}, sys.stdout)
"""


def _probe(tools: Path, files: list[Path], strings: list[str]) -> dict[str, Any]:
    request = {
        "files": [str(path) for path in files],
        "patterns": sorted(set(_patterns())),
        "strings": strings,
    }
    done = subprocess.run(
        [str(tools / "python"), "-c", _PROBE],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer


_OTHER_DIGITS = str.maketrans(
    "0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
)


def _variants(text: str) -> list[str]:
    """`text` and what differs only where the dialects differ: a trailing newline, digits that
    are not ASCII (Arabic-Indic), and other whitespace for a space."""
    return [
        text,
        text + "\n",
        text.translate(_OTHER_DIGITS),
        text[:1] + text[1:].translate(_OTHER_DIGITS),
        *(text.replace(" ", space) for space in ("\t", "\u00a0", "\x1c")),
    ]


def _all_strings() -> list[str]:
    found = set(PROBES)
    for path in CORPUS:
        data = _read(path)[0]
        if data is not None:
            found.update(_strings(data))
    # Patterns are for short values: long texts are tried as they are.
    return sorted({v for text in found for v in (_variants(text) if len(text) <= 80 else [text])})


def test_patterns_mean_the_same_in_ecma_262_python_and_the_quick_check(tools: Path) -> None:
    strings = _all_strings()
    ecma = _probe(tools, [], strings)["found"]
    differ = []
    for pattern, answers in ecma.items():
        quick_check = quick({"type": "string", "pattern": pattern}, {})
        for text, in_ecma in zip(strings, answers, strict=True):
            in_python = re.search(pattern, text) is not None
            if not in_ecma == in_python == quick_check(text):
                differ.append(f"{pattern!r} on {text!r}: ECMA {in_ecma}, Python {in_python}")
    assert not differ, "\n".join(differ)


def test_check_jsonschema_and_draaiboek_agree_on_the_corpus(tools: Path) -> None:
    # Only what draaiboek reads as data: the corpus also holds an alias bomb, which ruamel.yaml
    # would expand until the memory runs out.
    readable = [path for path in CORPUS if _read(path)[0] is not None]
    read_by_tool = _probe(tools, readable, [])["data"]
    decided: dict[str, tuple[str, bool]] = {}  # file -> (format, valid to draaiboek)
    differently = set()
    for path in CORPUS:
        data, format_name, valid = _read(path)
        theirs = read_by_tool.get(str(path), {"error": "not read"})
        if data is None or format_name is None or "error" in theirs:
            continue  # not data to one of them (bad YAML, no format): no schema decides it
        if json.loads(json.dumps(data)) != theirs["data"]:
            differently.add(str(path.relative_to(REPO)))
            continue
        decided[str(path)] = (format_name, valid)
    assert differently == set(READ_DIFFERENTLY)
    runs = []  # one check-jsonschema per schema, side by side
    for format_name, schema_file in SCHEMA_FILES.items():
        files = [file for file, (name, _) in decided.items() if name == format_name]
        if files:
            command = [str(tools / "check-jsonschema"), "--schemafile", str(SCHEMAS / schema_file)]
            runs.append(
                subprocess.Popen(
                    [*command, "--output-format", "json", *files],
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
    theirs_invalid: set[str] = set()
    for run in runs:
        report = json.loads(run.communicate()[0])
        assert not report.get("parse_errors"), report["parse_errors"]
        theirs_invalid.update(error["filename"] for error in report["errors"])
    disagree = [
        f"{file}: draaiboek {'valid' if valid else 'invalid'}, check-jsonschema "
        f"{'invalid' if file in theirs_invalid else 'valid'}"
        for file, (_, valid) in decided.items()
        if valid == (file in theirs_invalid)
    ]
    assert not disagree, "\n".join(disagree)
    # Not vacuous: most of the corpus is decided, with valid and invalid files among it.
    verdicts = {valid for _, valid in decided.values()}
    assert len(decided) >= 40 and verdicts == {True, False}

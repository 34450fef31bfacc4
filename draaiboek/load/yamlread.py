"""Read one YAML file into plain data plus the position of every value, safely.

Why not `yaml.safe_load`: it forgets positions, silently keeps the last of two duplicate keys,
and walking aliased data multiplies it (billion laughs). Why not `yaml.compose`: the C composer
recurses and crashes the interpreter on deeply nested input. So the data is built here from the
parser's event stream in one pass, with every limit checked while building: file size (before
parsing), nesting depth, total nodes including alias expansion, one document, safe tags only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from sys import intern
from typing import Any

import yaml

try:  # The C parser is many times faster; fall back to pure Python where libyaml is missing.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 4 * 1024 * 1024  # far above any real runbook; refused before parsing
MAX_DEPTH = 64
MAX_NODES = 200_000  # counted with alias expansion, so an alias bomb stops early

Path = tuple[str | int, ...]
Position = tuple[int, int]  # 1-based line, column


class YamlProblem(Exception):
    """The file cannot be read as data; carries where and a stable code."""

    def __init__(self, code: str, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Positions:
    """Where each value (and each mapping key) stands in the file."""

    values: dict[Path, Position]
    keys: dict[Path, Position]

    def of_value(self, path: Path) -> Position:
        """The value at `path`, else its nearest existing parent (e.g. for a missing key)."""
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, (1, 1))

    def of_key(self, path: Path) -> Position:
        return self.keys.get(path) or self.of_value(path)

    def subset(self, paths: Iterable[Path]) -> Positions:
        """Only what `of_value` and `of_key` give for `paths`: a few positions to keep once the
        rest of the file is no longer needed."""
        chosen = list(paths)
        return Positions(
            values={path: self.of_value(path) for path in chosen},
            keys={path: self.keys[path] for path in chosen if path in self.keys},
        )


_STANDARD_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {
    _STANDARD_TAG + name for name in ("str", "int", "float", "bool", "null", "map", "seq")
}
_NULLS = {"", "~", "null"}
_INT_PREFIXES = {"0b": 2, "0x": 16, "0o": 8}
_FLOAT_SPECIALS = {".inf": float("inf"), "-.inf": float("-inf"), "+.inf": float("inf")}
_resolver = yaml.resolver.Resolver()
# Keys and short values (ids, types, language codes) recur thousands of times in a folder of
# runbooks, and the model built from them outlives the file: one shared string each.
_SHARED_LENGTH = 40


# What `_resolver.resolve` does for a plain scalar, as a table by first character: most
# scalars are text starting with a letter that no implicit type starts with.
_IMPLICIT: dict[str, tuple[tuple[str, re.Pattern[str]], ...]] = {
    first: tuple(found) + tuple(_resolver.yaml_implicit_resolvers.get(None, ()))
    for first, found in _resolver.yaml_implicit_resolvers.items()
    if first is not None
}
_NO_IMPLICIT: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    _resolver.yaml_implicit_resolvers.get(None, ())
)
_DEFAULT_TAG = _STANDARD_TAG + "str"
_PLAIN_TABLE_HOLDS = not _resolver.yaml_path_resolvers and (
    _resolver.DEFAULT_SCALAR_TAG == _DEFAULT_TAG
)


def _scalar(event: yaml.ScalarEvent) -> Any:
    value: str = event.value
    tag = event.tag
    if tag is None or tag == "!":
        if event.implicit[0] is False:  # quoted: always a string
            return value
        if not _PLAIN_TABLE_HOLDS or not event.implicit[0]:  # pragma: no cover - not seen
            tag = _resolver.resolve(yaml.ScalarNode, value, event.implicit)  # type: ignore[no-untyped-call]
        else:
            for candidate, pattern in _IMPLICIT.get(value[:1], _NO_IMPLICIT):
                if pattern.match(value):
                    tag = candidate
                    break
            else:
                return value  # text: most scalars, so resolved here without a call
    if tag not in _ALLOWED_TAGS:
        if tag in (_STANDARD_TAG + "timestamp",):
            return value  # dates stay text: the schema checks their form
        if tag == _STANDARD_TAG + "merge":
            raise _problem(
                "yaml-tag", "merge keys ('<<') are not supported: write the keys out", event
            )
        if tag.startswith(_STANDARD_TAG) and tag[len(_STANDARD_TAG) :] in (
            "binary",
            "set",
            "omap",
            "pairs",
        ):
            raise _problem("yaml-tag", f"the YAML type {tag} is not supported here", event)
        raise _problem(
            "yaml-tag", f"the tag {tag!r} is not allowed: runbooks hold plain data only", event
        )
    kind = tag[len(_STANDARD_TAG) :]
    if kind == "str":
        return value
    if kind == "null":
        return None
    # YAML 1.2 core, as editors read it: `No`, `on`, `15:34` and `0800` stay text (YAML 1.1
    # would make an option labelled No false, and a time 15:34 the number 934).
    if kind == "bool":
        return value.lower() == "true" if value.lower() in ("true", "false") else value
    if kind == "int":
        if ":" in value or (
            value.lstrip("+-")[:1] == "0"
            and len(value.lstrip("+-")) > 1
            and value.lstrip("+-")[1:2] not in ("x", "o", "b")
        ):
            return value
        return _to_int(value, event)
    if kind == "float":
        return _to_float(value, event)
    raise _problem("yaml-tag", f"a scalar cannot carry the tag {tag!r}", event)


def _to_int(text: str, event: yaml.ScalarEvent) -> int:
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    try:
        for prefix, base in _INT_PREFIXES.items():
            if digits.startswith(prefix):
                return sign * int(digits[2:], base)
        if ":" in digits:  # YAML 1.1 sexagesimal
            total = 0
            for part in digits.split(":"):
                total = total * 60 + int(part)
            return sign * total
        if len(digits) > 1 and digits.startswith("0"):
            return sign * int(digits, 8)
        return sign * int(digits)
    except ValueError:
        raise _problem("yaml-syntax", f"{text!r} is not a valid integer", event) from None


def _to_float(text: str, event: yaml.ScalarEvent) -> float:
    lowered = text.lower().replace("_", "")
    if lowered in _FLOAT_SPECIALS:
        return _FLOAT_SPECIALS[lowered]
    if lowered == ".nan":
        return float("nan")
    try:
        return float(lowered)
    except ValueError:
        raise _problem("yaml-syntax", f"{text!r} is not a valid number", event) from None


def _position(event: yaml.Event) -> Position:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _problem(code: str, message: str, event: yaml.Event) -> YamlProblem:
    return YamlProblem(code, message, *_position(event))


def _duplicate(key: str, first: Position, event: yaml.Event) -> YamlProblem:
    return _problem(
        "duplicate-key",
        f"duplicate key {key!r} (first at line {first[0]}): keep one of them",
        event,
    )


class _Frame:
    __slots__ = ("container", "path", "pending_key", "start", "weight")

    def __init__(
        self, container: dict[str, Any] | list[Any], path: Path, start: yaml.Event
    ) -> None:
        self.container = container
        self.path = path
        self.pending_key: str | None = None
        self.weight = 1  # values inside, aliases counted at their full size
        self.start = start


_ScalarEvent = yaml.ScalarEvent
_MappingStartEvent = yaml.MappingStartEvent
_SequenceStartEvent = yaml.SequenceStartEvent
_CollectionEndEvents = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def read_yaml(text: str) -> tuple[Any, Positions]:
    """Parse `text` (one YAML document) into data and positions, or raise YamlProblem.

    Limits are the reader's own, whatever libyaml does: libyaml 0.2.6 (PyYAML >= 6.0.2 wheels)
    refuses nesting beyond 1000 levels while still scanning ahead, before the parser has handed
    over the 65th level, so such a file is read again with the pure-Python parser (which scans
    at most 1024 characters ahead) to report `too-deep` where the reader's limit is passed.
    Only the text up to where libyaml stopped is read again: the reader's limit (64 levels) is
    passed well before libyaml's (1000), and the pure-Python parser is slow on a large file.
    """
    try:
        return _read_yaml(text, _Loader)
    except _LibyamlDepth as stopped:
        # Growing prefixes, because the pure-Python scanner is quadratic in the nesting it holds
        # open (1,000 open brackets take 0.1 s, 256 take a few ms).
        length = 256
        while length < stopped.index:
            _raise_if_too_deep(text[:length])
            length *= 4
        _raise_if_too_deep(text[: stopped.index])
        return _read_yaml(text, yaml.SafeLoader)  # not expected: read it all to be sure


def _raise_if_too_deep(prefix: str) -> None:
    """Raise the reader's `too-deep` problem if `prefix` passes its depth limit; positions in a
    prefix are those of the whole text. Other problems of a cut text mean nothing: ignored."""
    try:
        _read_yaml(prefix, yaml.SafeLoader)
    except YamlProblem as problem:
        if problem.code == "too-deep":
            raise


class _LibyamlDepth(Exception):
    """libyaml's own nesting limit stopped the C parser at character `index` (see read_yaml)."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


def _read_yaml(text: str, loader_class: Any) -> tuple[Any, Positions]:
    values: dict[Path, Position] = {}
    keys: dict[Path, Position] = {}
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[_Frame] = []
    documents = 0
    total_nodes = 0
    root: Any = None
    has_root = False

    def place(value: Any, weight: int, event: yaml.Event) -> None:
        nonlocal root, has_root
        position = _position(event)
        if not stack:
            root, has_root = value, True
            values[()] = position
            return
        frame = stack[-1]
        frame.weight += weight
        container = frame.container
        if isinstance(container, list):
            values[(*frame.path, len(container))] = position
            container.append(value)
            return
        if frame.pending_key is None:
            if not isinstance(value, str | int | float | bool) and value is not None:
                raise _problem("yaml-key", "a mapping key must be a plain value", event)
            key = intern(str(value)) if value is not None else "null"
            path = (*frame.path, key)
            first = keys.get(path)  # paths are unique, so this is "earlier in this mapping"
            if first is not None:
                raise _duplicate(key, first, event)
            keys[path] = position
            frame.pending_key = key
            return
        key = frame.pending_key
        values[(*frame.path, key)] = position
        container[key] = value
        frame.pending_key = None

    def child_path() -> Path:
        if not stack:
            return ()
        frame = stack[-1]
        if isinstance(frame.container, list):
            return (*frame.path, len(frame.container))
        return (*frame.path, frame.pending_key if frame.pending_key is not None else "?")

    loader = loader_class(text)
    try:
        # get_event gives None after the end of the stream (what yaml.parse loops over, without
        # a generator in between).
        for event in iter(loader.get_event, None):
            if isinstance(event, _ScalarEvent):
                total_nodes += 1
                value = _scalar(event)
                if type(value) is str and len(value) <= _SHARED_LENGTH:
                    value = intern(value)
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1)
                # The common cases inline, as place() does them: a list item, a mapping's value.
                top = stack[-1] if stack else None
                if top is not None and isinstance(top.container, list):
                    values[(*top.path, len(top.container))] = _position(event)
                    top.container.append(value)
                    top.weight += 1
                elif top is not None and top.pending_key is not None:
                    key = top.pending_key
                    values[(*top.path, key)] = _position(event)
                    top.container[key] = value  # type: ignore[call-overload]
                    top.pending_key = None
                    top.weight += 1
                elif top is not None:  # a key (a scalar is always a plain value)
                    key = intern(str(value)) if value is not None else "null"
                    path = (*top.path, key)
                    first = keys.get(path)
                    if first is not None:
                        raise _duplicate(key, first, event)
                    keys[path] = _position(event)
                    top.pending_key = key
                    top.weight += 1
                else:
                    place(value, 1, event)
            elif isinstance(event, _MappingStartEvent | _SequenceStartEvent):
                total_nodes += 1
                tag = event.tag
                if tag is not None and tag != "!" and tag not in _ALLOWED_TAGS:
                    raise _problem(
                        "yaml-tag",
                        f"the tag {tag!r} is not allowed: runbooks hold plain data only",
                        event,
                    )
                if len(stack) >= MAX_DEPTH:
                    raise _problem(
                        "too-deep", f"nested more than {MAX_DEPTH} levels deep: flatten it", event
                    )
                if (
                    stack
                    and isinstance(stack[-1].container, dict)
                    and stack[-1].pending_key is None
                ):
                    raise _problem("yaml-key", "a mapping key must be a plain value", event)
                container: dict[str, Any] | list[Any] = (
                    {} if isinstance(event, _MappingStartEvent) else []
                )
                stack.append(_Frame(container, child_path(), event))
            elif isinstance(event, _CollectionEndEvents):
                frame = stack.pop()
                anchor = getattr(frame.start, "anchor", None)
                if anchor is not None:
                    anchors[anchor] = (frame.container, frame.weight)
                place(frame.container, frame.weight, frame.start)
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor not in anchors:
                    raise _problem(
                        "yaml-alias", f"alias *{event.anchor} refers to no earlier anchor", event
                    )
                value, weight = anchors[event.anchor]
                total_nodes += weight
                if total_nodes > MAX_NODES:
                    raise _problem(
                        "too-many-nodes",
                        f"more than {MAX_NODES} values once aliases are expanded "
                        "(an alias bomb?): write the data out without nested aliases",
                        event,
                    )
                place(value, weight, event)
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _problem(
                        "several-documents",
                        "the file holds more than one YAML document ('---'): one per file",
                        event,
                    )
            if total_nodes > MAX_NODES:
                raise _problem(
                    "too-many-nodes", f"more than {MAX_NODES} values: split the file", event
                )
    except yaml.MarkedYAMLError as exc:
        if "maximum nesting depth" in (exc.problem or "") and loader_class is not yaml.SafeLoader:
            stop = exc.problem_mark
            raise _LibyamlDepth(stop.index if stop is not None else len(text)) from None
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise YamlProblem("yaml-syntax", f"invalid YAML: {problem}", line, column) from None
    except yaml.YAMLError as exc:
        raise YamlProblem("yaml-syntax", f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    if not has_root or root is None:
        raise YamlProblem("empty", "the file is empty: it needs at least a 'format:' key")
    return root, Positions(values, keys)


_BAD_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(raw: bytes) -> str:
    """Bytes of a file to text, refusing binary and non-UTF-8 content with its position."""
    if len(raw) > MAX_BYTES:
        raise YamlProblem(
            "too-large", f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB: split it"
        )
    if b"\x00" in raw:
        offset = raw.index(b"\x00")
        line, column = _line_col(raw, offset)
        raise YamlProblem(
            "binary", "the file holds binary data (a NUL byte), not YAML", line, column
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _line_col(raw, exc.start)
        raise YamlProblem(
            "not-utf8", "the file is not UTF-8 text: save it as UTF-8", line, column
        ) from None
    control = _BAD_CONTROL.search(text)
    if control:
        before = text[: control.start()]
        line = before.count("\n") + 1
        column = control.start() - (before.rfind("\n") + 1) + 1
        raise YamlProblem(
            "binary",
            f"the file holds a control character (U+{ord(control.group()):04X})",
            line,
            column,
        )
    return text


def _line_col(raw: bytes, offset: int) -> Position:
    """1-based line and column (in characters, as an editor counts) of a byte offset."""
    before = raw[:offset]
    line_start = before.rfind(b"\n") + 1
    column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
    return before.count(b"\n") + 1, column

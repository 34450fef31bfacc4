"""A change inside a long text, word by word, as `git diff --word-diff=plain` shows it.

`draaiboek diff` used to print a changed text as its first 60 characters before and after: a
changed word deep in a long text showed as two identical snippets. Here only the changed words
are shown, marked `[-old-]{+new+}`, with a few words around each change and `…` for the rest.
"""

from __future__ import annotations

import difflib

CONTEXT_WORDS = 4  # words kept on each side of a change


def word_change(old: str, new: str, context: int = CONTEXT_WORDS) -> str:
    """`old` -> `new` as one line: unchanged runs longer than twice `context` words shortened
    to `…`, removed words as `[-…-]`, added ones as `{+…+}`. Whitespace differences alone (line
    breaks of a folded text) are no change. "" when the words are the same."""
    before, after = old.split(), new.split()
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    opcodes = matcher.get_opcodes()
    if all(tag == "equal" for tag, *_ in opcodes):
        return ""
    parts: list[str] = []
    last = len(opcodes) - 1
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = before[i1:i2]
            head = words[:context] if index > 0 else []
            tail = words[-context:] if index < last else []
            if len(words) <= len(head) + len(tail) + 1:
                parts.extend(words)
            else:
                parts.extend([*head, "…", *tail])
            continue
        if i2 > i1:
            parts.append("[-" + " ".join(before[i1:i2]) + "-]")
        if j2 > j1:
            parts.append("{+" + " ".join(after[j1:j2]) + "+}")
    return " ".join(parts)

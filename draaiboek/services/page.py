"""The shared frame of a printable page: escaping for Markdown and HTML, and one self-contained
A4 HTML document with a running header and footer (used by `print` and `report`)."""

from __future__ import annotations

import html
import re

from draaiboek.model.text import visible

_MD_SPECIAL = {ord(c): "\\" + c for c in "\\`*_[]|#~"}
_MD_SPECIAL.update({ord("<"): "&lt;", ord(">"): "&gt;", ord("&"): "&amp;"})
# Only at the start of a Markdown line do these make a list or a heading underline.
_MD_BLOCK_START = re.compile(r"^(?:([-+=])(?=[-=\s]|$)|(\d+)([.)])(?=\s|$))")
# Leading blanks would make an indented code block where the text starts a line; as character
# references they are shown but do not indent.
_MD_LEADING_BLANKS = re.compile(r"^[ \t]+")


def md_escape(text: str) -> str:
    """Markdown that shows `text` literally: no HTML, links, emphasis or block structure; its
    line breaks become <br>, so it stays one Markdown line (a list item, a table cell). A control
    character is written out (model.text.visible: ESC as \\x1b)."""
    lines = visible(text).splitlines()
    escaped = "<br>".join(line.translate(_MD_SPECIAL) for line in lines)
    escaped = _MD_LEADING_BLANKS.sub(lambda m: "".join(f"&#{ord(c)};" for c in m[0]), escaped)
    return _MD_BLOCK_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", escaped)


def esc(text: str) -> str:
    """HTML text that shows `text` literally, line breaks as <br>, control characters written
    out (model.text.visible)."""
    return html.escape(visible(text), quote=True).replace("\n", "<br>")


def css_string(text: str) -> str:
    """`text` as a quoted CSS string (for `content:` in a page's margin boxes): everything but
    letters, digits and a few safe marks is a hex escape, so nothing in it can end the string
    or the style sheet (`</style>` included); control characters are written out first."""
    safe = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;-_+()·")
    # A hex escape takes up to six digits and one space after it: six digits and the space
    # always, so that the next character is never read as part of it.
    return '"' + "".join(c if c in safe else f"\\{ord(c):06x} " for c in visible(text)) + '"'


PAGE_CSS = """
@page { size: A4; margin: 12mm 14mm; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.45 "Helvetica Neue", Helvetica, Arial, sans-serif; color: #111;
       margin: 0; }
p, dd, li { overflow-wrap: anywhere; }
h1 { font-size: 17pt; margin: 0 0 2mm; } h2 { font-size: 13pt; margin: 5mm 0 2mm; }
.running-head, .running-foot { position: fixed; left: 0; right: 0; font-size: 8pt;
       color: #333; background: #fff; }
.running-head { top: 0; border-bottom: 0.5pt solid #777; padding-bottom: 1mm; }
.running-foot { bottom: 0; border-top: 0.5pt solid #777; padding-top: 1mm; }
.mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; word-break: break-all; }
table.page { width: 100%; border-collapse: collapse; }
table.page > thead .space { height: 13mm; } table.page > tfoot .space { height: 11mm; }
.banner { display: block; text-align: center; font-weight: bold; letter-spacing: 0.2em;
       border: 1.5pt solid #000; background: #ffe9a8; padding: 0.5mm; margin-bottom: 1mm; }
.alert { border: 2pt solid #a00; color: #a00; padding: 2mm 3mm; font-weight: bold; }
.warn { font-weight: bold; color: #a00; }
.box { display: inline-block; width: 3.6mm; height: 3.6mm; border: 1pt solid #000;
       vertical-align: -0.5mm; margin-right: 1.5mm; }
.line { display: inline-block; min-width: 22mm; border-bottom: 0.7pt solid #000;
       height: 1em; margin: 0 1mm; }
section.keep, .step { page-break-inside: avoid; break-inside: avoid; }
.step { border: 0.8pt solid #444; border-radius: 1.5mm; padding: 2mm 3mm; margin: 0 0 3mm; }
.step h2 { margin: 0 0 1mm; } .kind { font-weight: normal; color: #444; }
.field { margin-left: 4mm; color: #333; white-space: nowrap; }
ul.ticks { list-style: none; padding: 0; margin: 1mm 0 0; } ul.ticks li { margin: 1.2mm 0; }
dl { margin: 1mm 0; } dt { float: left; clear: left; width: 34mm; color: #444; }
dd { margin: 0 0 0.5mm 35mm; }
table.data { width: 100%; border-collapse: collapse; font-size: 9.5pt; }
table.data th, table.data td { border-bottom: 0.5pt solid #bbb; text-align: left;
       vertical-align: top; padding: 0.8mm 1.5mm; overflow-wrap: break-word; }
table.data tr { page-break-inside: avoid; break-inside: avoid; }
table.data thead { display: table-header-group; }
@media screen { body { max-width: 210mm; margin: 0 auto; padding: 0 8mm; }
  .running-head, .running-foot { position: static; } table.page > thead .space,
  table.page > tfoot .space { height: 0; } }
"""


def html_page(lang: str, title: str, head: str, foot: str, body: str) -> str:
    """One self-contained A4 document: header and footer repeat on every printed page (fixed
    elements, with table header/footer rows keeping the body clear of them). Arguments other
    than `title` are HTML already escaped by the caller."""
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n<body>\n"
        f'<div class="running-head">{head}</div>\n<div class="running-foot">{foot}</div>\n'
        '<table class="page"><thead><tr><td><div class="space"></div></td></tr></thead>\n'
        '<tfoot><tr><td><div class="space"></div></td></tr></tfoot>\n'
        f"<tbody><tr><td>\n{body}\n</td></tr></tbody></table>\n</body>\n</html>\n"
    )

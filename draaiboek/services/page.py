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


# Column widths by kind (report_layout): a time and a name always fit on one line.
_WIDTHS = {"seq": "10mm", "when": "20mm", "elapsed": "19mm", "who": "30mm", "mark": "19mm"}

PAGE_CSS = """
* { box-sizing: border-box; }
body { font: 10pt/1.4 "DejaVu Sans", Arial, Helvetica, sans-serif; color: #000; margin: 0; }
p, dd, li, td { overflow-wrap: anywhere; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 12.5pt; margin: 5mm 0 1.5mm; break-after: avoid; page-break-after: avoid; }
section > dl, section > p.alert, section > table { break-before: avoid; }
.mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.banner { display: block; text-align: center; font-weight: bold; letter-spacing: 0.2em;
       border: 1.5pt solid #000; padding: 0.5mm; margin-bottom: 2mm; }
.alert { border: 2pt solid #000; padding: 2mm 3mm; font-weight: bold; }
dl { margin: 1mm 0; } dt { float: left; clear: left; width: 48mm; color: #333; }
dd { margin: 0 0 0.5mm 50mm; }
table.data { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 9pt;
       line-height: 1.3; margin-top: 1mm; }
table.data th, table.data td { border-bottom: 0.5pt solid #999; text-align: left;
       vertical-align: top; padding: 0.6mm 1.2mm; }
table.data tr, table.data tbody.keep { break-inside: avoid; page-break-inside: avoid; }
/* The column heads never end a page alone: the first rows (the first day's group) go with
   them, and the section's heading with those (h2: break-after: avoid). */
table.data > tbody:nth-of-type(-n+2) { break-before: avoid; }
table.data thead { display: table-header-group; }
table.data td.when, table.data td.elapsed, table.data td.seq { white-space: nowrap;
       font-variant-numeric: tabular-nums; }
table.data tr.day td { font-weight: bold; border-bottom: 1pt solid #000; padding-top: 1.5mm; }
table.data td.mark { font-weight: bold; }
.screen-only { display: none; }
@media screen { body { max-width: 200mm; margin: 0 auto; padding: 4mm 8mm; }
  .screen-only { display: block; } }
""" + "".join(f"col.{kind} {{ width: {width}; }}\n" for kind, width in _WIDTHS.items())


def margin_boxes(boxes: dict[str, tuple[str, str]]) -> str:
    """`@page` margin boxes, e.g. {"bottom-right": (content, extra CSS)}: the content is CSS
    (quote texts with `css_string`; `counter(page)` and `counter(pages)` number the pages)."""
    return "".join(
        f"  @{name} {{ content: {content}; {style} }}\n" for name, (content, style) in boxes.items()
    )


def html_page(lang: str, title: str, margins: str, body: str, css: str = PAGE_CSS) -> str:
    """One self-contained A4 document. What repeats on every printed page (header, footer,
    page numbers) is in `margins` (see `margin_boxes`), so it is printed on every page and
    shown nowhere else on screen; `body` is HTML already escaped by the caller."""
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>\n@page {{ size: A4; margin: 16mm 14mm 16mm;\n"
        f"{margins}}}\n{css}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )

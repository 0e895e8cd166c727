"""Reads the HTML tables of ``backprop.html_tables`` back, with the standard library's
parser alone: each table's caption, header cells and rows of cell texts."""

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self._cell, self._row, self._in = [], None, None, []

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "head": [], "rows": []})
        elif tag in ("caption", "thead", "tbody"):
            self._in.append(tag)
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("caption", "thead", "tbody") and self._in:
            self._in.pop()
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            table = self.tables[-1]
            if self._in and self._in[-1] == "thead":
                table["head"] = self._row
            else:
                table["rows"].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._in and self._in[-1] == "caption":
            self.tables[-1]["caption"] += data


def tables(html):
    """[{"caption": text, "head": [cell, ...], "rows": [[cell, ...], ...]}, ...]; a symbol's
    <sup> and <sub> read as plain text: w<sup>2</sup><sub>j1</sub> is "w2j1"."""
    parser = _Tables()
    parser.feed(html)
    parser.close()
    return parser.tables

"""JSON output: indented, one line per innermost object, the same data as the standard encoder."""

import io
import json
from datetime import date

from insights.output import dump_json, emit


def test_json_holds_exactly_the_data_given():
    value = {"meetings": [
        {"date": "2021-12-22", "title": "Caf\u00e9 \u201cquotes\u201d \"and\" \\ back", "empty": [], "none": None,
         "nested": {}, "topics": [{"id": "a1", "notes": [{"text": "line\nbreak\ttab", "line": 3, "level": 0},
                                                         {"text": "\u2603 snow", "line": 4, "level": 1}],
                                   "tags": ["x", "y"], "votes": 2.5, "open": True}]},
        {"date": "2021-12-29", "topics": []},
    ], "count": 2}
    out = io.StringIO()
    dump_json(value, out)
    text = out.getvalue()
    assert json.loads(text) == value
    assert text.endswith("}\n") and "\u00e9" in text  # not escaped to ASCII
    lines = text.splitlines()
    assert '            {"text": "line\\nbreak\\ttab", "line": 3, "level": 0},' in lines  # a note is one line
    assert '  "count": 2' in lines


def test_listings_print_json_rows_one_per_line_with_dates_as_text():
    out = io.StringIO()
    emit([{"date": date(2021, 12, 22), "topics": 3}, {"date": date(2021, 12, 29), "topics": 0}], "json", out=out)
    assert out.getvalue() == '[\n  {"date": "2021-12-22", "topics": 3},\n  {"date": "2021-12-29", "topics": 0}\n]\n'
    out = io.StringIO()
    emit([], "json", out=out)
    assert out.getvalue() == "[]\n"

"""Which table columns a block of trigger SQL reads, found by reading the SQL.

Enough of a reader for the reports' triggers, not for SQL at large: in each
CREATE FUNCTION it binds names to tables (a parameter or DECLARE of a row type,
`FROM table alias`, `JOIN table alias`, and OLD/NEW for the table a trigger is
on), then collects `name.column` for the bound names and the bare columns of a
`SELECT ... FROM table WHERE ...` over that one table.
"""

import re
from collections import defaultdict

KEYWORDS = {
    "as", "cross", "full", "inner", "join", "left", "natural", "on", "right",
    "where", "group", "order", "limit", "union",
}  # fmt: skip
_FUNCTION = re.compile(
    r"CREATE OR REPLACE FUNCTION\s+(\w+)\s*\((.*?)\)\s*RETURNS.*?"
    r"\$(\w*)\$(.*?)\$\3\$",
    re.S | re.I,
)
_TRIGGER = re.compile(
    r"CREATE TRIGGER\s+\w+.*?\bON\s+(\w+).*?EXECUTE FUNCTION\s+(\w+)", re.S | re.I
)
_FROM = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)\s+(?:AS\s+)?(\w+)", re.I)
_NAME_TYPE = re.compile(r"(\w+)\s+(\w+)\s*[,;)]?")
_STRING = re.compile(r"'(?:[^']|'')*'")
_COMMENT = re.compile(r"--[^\n]*")
_QUALIFIED = re.compile(r"\b(\w+)\.(\w+)\b")
_WORD = re.compile(r"\b[a-z_][a-z0-9_]*\b", re.I)


def _clean(sql: str) -> str:
    """No comments, no string contents, no schema before a name."""
    sql = _STRING.sub("''", _COMMENT.sub("", sql))
    return re.sub(r"\bpublic\.", "", sql)


def _bindings(
    signature: str, body: str, tables: set[str], trigger_table: str | None
) -> dict[str, str]:
    bound: dict[str, str] = {}
    declare = body.split("BEGIN", 1)[0] if "DECLARE" in body else ""
    for name, table in _NAME_TYPE.findall(signature + "," + declare):
        if table in tables and name.lower() not in KEYWORDS:
            bound[name] = table
    for table, name in _FROM.findall(body):
        if table in tables and name.lower() not in KEYWORDS:
            bound[name] = table
    if trigger_table:
        bound["OLD"] = bound["NEW"] = trigger_table
    return bound


def _bare_reads(body: str, columns: dict[str, set[str]]) -> dict[str, set[str]]:
    """Bare column names in `SELECT <list> FROM <one table> WHERE <condition>`."""
    found: dict[str, set[str]] = defaultdict(set)
    one_table = re.compile(
        r"SELECT\s+((?:(?!SELECT).)*?)\s+FROM\s+(\w+)\s+WHERE\s+([^;)]*)", re.S | re.I
    )
    for select_list, table, condition in one_table.findall(body):
        if table not in columns:
            continue
        text = _QUALIFIED.sub(" ", select_list + " " + condition)
        found[table] |= {w for w in _WORD.findall(text) if w in columns[table]}
    return found


def columns_read(sql: str, columns: dict[str, set[str]]) -> dict[str, set[str]]:
    """{table: columns} that `sql` reads, for the tables named in `columns`
    (each with the columns it has). A name read on a bound table that is not one
    of its columns is reported as read all the same, so that the caller sees it."""
    sql = _clean(sql)
    triggers = {function: table for table, function in _TRIGGER.findall(sql)}
    read: dict[str, set[str]] = defaultdict(set)
    for name, signature, _quote, body in _FUNCTION.findall(sql):
        bound = _bindings(signature, body, set(columns), triggers.get(name))
        for qualifier, column in _QUALIFIED.findall(body):
            if qualifier in bound:
                read[bound[qualifier]].add(column)
        for table, bare in _bare_reads(body, columns).items():
            read[table] |= bare
    return dict(read)

"""Which DDL an env's TABLES may hold: plain CREATE TABLE column definitions, nothing else.

TABLES runs in the engine, so it is parsed here on DuckDB's tokens against a small
grammar and rebuilt as canonical SQL; only the rebuilt text reaches DuckDB (what runs is
what was checked). Allowed:

    CREATE TABLE name (column, ..., [PRIMARY KEY (a, ...)], [UNIQUE (a, ...)]);
    column := name TYPE [PRIMARY KEY | NOT NULL | NULL | UNIQUE | DEFAULT constant]...
    TYPE   := VARCHAR | INTEGER | BIGINT | DOUBLE | BOOLEAN | DATE | TIMESTAMP
              | DECIMAL(p, s) | STRUCT(name TYPE, ...) | TYPE[]
    constant := number | 'text' | TRUE | FALSE | NULL

No CREATE TABLE AS, no other statement, no CHECK, COLLATE, generated columns,
REFERENCES or DEFAULT expressions (a default like random() or current_timestamp would
not replay; COLLATE NOCASE makes two different keys one row, so diffs and hashes lie).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb

from sandbox.sql_policy import CLOCK_VALUES, PSEUDO_COLUMNS, catalog

# Accepted spellings -> the type DuckDB is given.
BASE_TYPES: dict[str, str] = {
    "varchar": "VARCHAR", "text": "VARCHAR", "string": "VARCHAR",
    "integer": "INTEGER", "int": "INTEGER", "int4": "INTEGER",
    "bigint": "BIGINT", "int8": "BIGINT",
    "double": "DOUBLE", "float8": "DOUBLE",
    "boolean": "BOOLEAN", "bool": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}
_DECIMALS = frozenset({"decimal", "numeric"})
MAX_TABLES = 64
MAX_COLUMNS = 256
MAX_DEPTH = 4  # STRUCT / list nesting
MAX_FIELDS = 1024  # columns and STRUCT fields of one table, all levels
# TABLES is checked in the engine before any watchdog runs: its size bounds that time
# (the largest built-in TABLES is under 2,000 characters).
MAX_TABLES_CHARS = 256 * 1024
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_QUOTED = re.compile(r'"((?:[^"]|"")*)"')
_STRING = re.compile(r"'((?:[^']|'')*)'")
_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class DdlViolation(Exception):
    """TABLES holds something other than plain CREATE TABLE column definitions."""


@dataclass(frozen=True)
class _Token:
    kind: str  # word | quoted | symbol | string | number
    text: str  # word/quoted: the name as written; symbol: one character; string/number: the literal

    @property
    def word(self) -> str:
        """A word's lower-case form ("" for other tokens: quoting makes a name, never a keyword)."""
        return self.text.lower() if self.kind == "word" else ""


def _tokens(ddl: str) -> list[_Token]:
    data = ddl.encode("utf-8", "surrogatepass")
    try:
        raw = duckdb.tokenize(ddl)
    except (duckdb.Error, TypeError, ValueError, UnicodeError) as exc:
        raise DdlViolation(f"TABLES does not tokenize: {exc}") from None
    ends = [t[0] for t in raw[1:]] + [len(data)] if raw else []
    tokens: list[_Token] = []
    for (start, kind), end in zip(raw, ends, strict=True):
        text = data[start:end].decode("utf-8", "replace").strip()
        if kind == duckdb.token_type.comment:
            continue
        if kind == duckdb.token_type.operator:
            tokens.extend(_Token("symbol", ch) for ch in text if not ch.isspace())
        elif kind == duckdb.token_type.string_const:
            if not _STRING.fullmatch(text):
                raise DdlViolation(f"only plain 'text' constants are allowed in TABLES, not {text[:30]}")
            tokens.append(_Token("string", text))
        elif kind == duckdb.token_type.numeric_const:
            if not _NUMBER.fullmatch(text):
                raise DdlViolation(f"unrecognised number {text[:30]} in TABLES")
            tokens.append(_Token("number", text))
        elif _QUOTED.fullmatch(text):
            tokens.append(_Token("quoted", _QUOTED.fullmatch(text).group(1).replace('""', '"')))  # type: ignore[union-attr]
        elif _IDENTIFIER.fullmatch(text):
            tokens.append(_Token("word", text))
        else:
            raise DdlViolation(f"unrecognised name {text[:30]!r} in TABLES (use plain ASCII identifiers)")
    return tokens


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.at = 0
        self.fields = 0  # of the table being parsed

    def count_field(self) -> None:
        self.fields += 1
        if self.fields > MAX_FIELDS:
            raise DdlViolation(f"a table may have at most {MAX_FIELDS} columns and STRUCT fields in all")

    def peek(self, offset: int = 0) -> _Token | None:
        i = self.at + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def is_word(self, word: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token.word == word

    def is_symbol(self, symbol: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "symbol" and token.text == symbol

    def next(self, what: str) -> _Token:
        token = self.peek()
        if token is None:
            raise DdlViolation(f"TABLES ends where {what} was expected")
        self.at += 1
        return token

    def expect_word(self, word: str) -> None:
        token = self.next(word.upper())
        if token.word != word:
            raise DdlViolation(f"expected {word.upper()}, got {_shown(token)}{_ONLY}")

    def expect_symbol(self, symbol: str) -> None:
        token = self.next(f"'{symbol}'")
        if token.kind != "symbol" or token.text != symbol:
            raise DdlViolation(f"expected '{symbol}', got {_shown(token)}{_ONLY}")

    def name(self, what: str) -> str:
        token = self.next(what)
        if token.kind not in ("word", "quoted") or not _IDENTIFIER.fullmatch(token.text):
            raise DdlViolation(f"{what} must be a plain identifier, got {_shown(token)}")
        if token.text.lower() in catalog().schemas:
            raise DdlViolation(f"schema {token.text.lower()} is not accessible ({what} may not name a schema)")
        if token.text.lower() in CLOCK_VALUES or token.text.lower() in PSEUDO_COLUMNS \
                or token.text.lower() in catalog().bare_relations:
            # Env SQL may use its own names freely; these would let a bare name reach the
            # clock (SELECT current_date) or the catalog (FROM pg_tables, with a column so named).
            raise DdlViolation(f"{what} may not be named {token.text.lower()} (SQL reads the clock, the "
                               "catalog or where rows are stored by that name)")
        return token.text

    def names(self, what: str) -> list[str]:
        self.expect_symbol("(")
        found = [self.name(what)]
        while self.is_symbol(","):
            self.at += 1
            found.append(self.name(what))
        self.expect_symbol(")")
        return found

    def type_(self, depth: int = 0) -> str:
        if depth > MAX_DEPTH:
            raise DdlViolation(f"types nest at most {MAX_DEPTH} levels deep in TABLES")
        token = self.next("a type")
        kind = token.word
        if not kind:
            raise DdlViolation(f"expected a type, got {_shown(token)}{_ONLY}")
        if kind in BASE_TYPES:
            text = BASE_TYPES[kind]
            if text == "VARCHAR" and self.is_symbol("("):  # VARCHAR(n): DuckDB ignores the length
                self.at += 1
                self.number()
                self.expect_symbol(")")
        elif kind in _DECIMALS:
            text = "DECIMAL"
            if self.is_symbol("("):
                self.at += 1
                precision = self.number()
                scale = "0"
                if self.is_symbol(","):
                    self.at += 1
                    scale = self.number()
                self.expect_symbol(")")
                text = f"DECIMAL({precision}, {scale})"
        elif kind == "struct":
            self.expect_symbol("(")
            self.count_field()
            fields = [f"{_quote(self.name('a STRUCT field name'))} {self.type_(depth + 1)}"]
            while self.is_symbol(","):
                self.at += 1
                self.count_field()
                fields.append(f"{_quote(self.name('a STRUCT field name'))} {self.type_(depth + 1)}")
            self.expect_symbol(")")
            text = f"STRUCT({', '.join(fields)})"
        else:
            allowed = "VARCHAR, INTEGER, BIGINT, DOUBLE, BOOLEAN, DATE, TIMESTAMP, DECIMAL(p, s), STRUCT(...), T[]"
            raise DdlViolation(f"type {token.text.upper()} is not allowed in TABLES; use {allowed}")
        while self.is_symbol("["):
            depth += 1
            if depth > MAX_DEPTH:
                raise DdlViolation(f"types nest at most {MAX_DEPTH} levels deep in TABLES")
            self.at += 1
            self.expect_symbol("]")
            text += "[]"
        return text

    def number(self) -> str:
        token = self.next("a number")
        if token.kind != "number" or not token.text.isdigit():
            raise DdlViolation(f"expected a whole number, got {_shown(token)}")
        return str(int(token.text))

    def constant(self) -> str:
        token = self.next("a constant")
        sign = ""
        if token.kind == "symbol" and token.text in "+-":
            sign = token.text
            token = self.next("a number")
            if token.kind != "number":
                raise DdlViolation(f"DEFAULT takes a constant, got {_shown(token)}")
        if token.kind in ("number", "string"):
            return sign + token.text
        if token.word in ("true", "false", "null"):
            return token.word.upper()
        raise DdlViolation(f"DEFAULT takes a constant (a number, 'text', TRUE, FALSE or NULL), got {_shown(token)}"
                           " (an expression would run at every insert and may not replay)")

    def column(self) -> str:
        self.count_field()
        name = self.name("a column name")
        parts = [_quote(name), self.type_()]
        while not (self.is_symbol(",") or self.is_symbol(")")):
            if self.is_word("primary"):
                self.at += 1
                self.expect_word("key")
                parts.append("PRIMARY KEY")
            elif self.is_word("not"):
                self.at += 1
                self.expect_word("null")
                parts.append("NOT NULL")
            elif self.is_word("null"):
                self.at += 1
                parts.append("NULL")
            elif self.is_word("unique"):
                self.at += 1
                parts.append("UNIQUE")
            elif self.is_word("default"):
                self.at += 1
                parts.append(f"DEFAULT {self.constant()}")
            else:
                token = self.next("a constraint")
                raise DdlViolation(f"column {name}: {_shown(token)} is not allowed in TABLES; a column may have "
                                   "PRIMARY KEY, NOT NULL, NULL, UNIQUE and DEFAULT constant")
        return " ".join(parts)

    def create_table(self) -> str:
        self.expect_word("create")
        if not self.is_word("table"):
            raise DdlViolation(f"TABLES may hold only CREATE TABLE statements, got CREATE {_shown(self.peek())}")
        self.at += 1
        if self.is_word("if"):
            raise DdlViolation(f"CREATE TABLE IF NOT EXISTS is not allowed{_ONLY}")
        table = self.name("a table name")
        self.fields = 0
        if self.is_word("as") or not self.is_symbol("("):
            raise DdlViolation(f"table {table}: only column definitions are allowed (no CREATE TABLE ... AS)")
        self.expect_symbol("(")
        elements: list[str] = []
        while True:
            if self.is_word("primary") and self.is_word("key", 1):
                self.at += 2
                elements.append("PRIMARY KEY (" + ", ".join(_quote(n) for n in self.names("a key column")) + ")")
            elif self.is_word("unique") and (token := self.peek(1)) is not None \
                    and token.kind == "symbol" and token.text == "(":
                self.at += 1
                elements.append("UNIQUE (" + ", ".join(_quote(n) for n in self.names("a UNIQUE column")) + ")")
            elif (token := self.peek()) is not None and token.word in _TABLE_CLAUSES_DENIED:
                raise DdlViolation(f"table {table}: {token.word.upper()} is not allowed in TABLES; a table may have "
                                   "columns, PRIMARY KEY (...) and UNIQUE (...)")
            else:
                elements.append(self.column())
            if len(elements) > MAX_COLUMNS:
                raise DdlViolation(f"table {table} has more than {MAX_COLUMNS} columns")
            if self.is_symbol(","):
                self.at += 1
                continue
            self.expect_symbol(")")
            break
        return f"CREATE TABLE {_quote(table)} ({', '.join(elements)})"


_ONLY = " (TABLES may hold only plain CREATE TABLE column definitions)"
_TABLE_CLAUSES_DENIED = frozenset({"check", "foreign", "constraint", "like", "references", "exclude"})


def _shown(token: _Token | None) -> str:
    if token is None:
        return "the end"
    return token.text.upper() if token.kind == "word" else f"'{token.text[:30]}'"


def checked_tables(ddl: str) -> list[str]:
    """TABLES as canonical CREATE TABLE statements, or DdlViolation saying what is not allowed."""
    if len(ddl) > MAX_TABLES_CHARS:
        raise DdlViolation(f"TABLES holds {len(ddl)} characters; the limit is {MAX_TABLES_CHARS}")
    parser = _Parser(_tokens(ddl))
    statements: list[str] = []
    while parser.peek() is not None:
        if parser.is_symbol(";"):
            parser.at += 1
            continue
        token = parser.peek()
        if token is not None and token.word != "create":
            raise DdlViolation(f"TABLES may hold only CREATE TABLE statements, got {_shown(token)}")
        statements.append(parser.create_table())
        if len(statements) > MAX_TABLES:
            raise DdlViolation(f"TABLES may declare at most {MAX_TABLES} tables")
        if parser.peek() is not None and not parser.is_symbol(";"):
            raise DdlViolation(f"expected ';' after a CREATE TABLE statement, got {_shown(parser.peek())}{_ONLY}")
    if not statements:
        raise DdlViolation("TABLES holds no statement")
    return statements

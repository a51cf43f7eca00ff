"""What a reader types into the search box, understood as web search understands it.

`parse()` reads `"a phrase"`, `-excluded` words (or `-"phrases"`), `OR` between two terms,
and plain words, which must all be found. Nothing a reader types is ever handed to a
database's query language: words are cut at anything that is not a letter or a digit, so
FTS5's and tsquery's operators (`NEAR(`, `*`, `:`, `^`, `&`, `!`, parentheses, column
filters) are only separators, and each backend writes its own query from the parsed terms.
An unbalanced quote runs to the end, as Google and PostgreSQL's websearch_to_tsquery read
it. Control characters (NUL included) are dropped, and a query is cut to MAX_LENGTH
characters and MAX_TERMS terms, saying so.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MAX_LENGTH = 200
MAX_TERMS = 12
# A word as the index's tokenizers see one: letters and digits (SQLite's unicode61 and
# PostgreSQL's parser both split at punctuation, underscores and symbols such as emoji).
WORD = re.compile(r"[^\W_]+")
# Quoted phrases, exclusions and single words, in the order typed.
PIECE = re.compile(r'(-?)"([^"]*)"?|(\S+)')

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Query:
    """A parsed search: every clause must match (a clause: any one of its phrases), and no
    excluded phrase may."""

    text: str
    clauses: tuple[tuple[Phrase, ...], ...] = ()
    excluded: tuple[Phrase, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    @property
    def words(self) -> list[str]:
        """Every word looked for (not the excluded ones), in order."""
        return [word for clause in self.clauses for phrase in clause for word in phrase]

    def web_syntax(self) -> str:
        """The query written back in web-search syntax (what PostgreSQL's
        websearch_to_tsquery reads): only words, quotes, `-` and `or`."""

        def phrase(words: Phrase) -> str:
            return f'"{" ".join(words)}"' if len(words) > 1 else words[0]

        parts = [" or ".join(phrase(one) for one in clause) for clause in self.clauses]
        parts += [f"-{phrase(one)}" for one in self.excluded]
        return " ".join(parts)

    def replaced(self, corrections: dict[str, str]) -> Query:
        """The same query with some words replaced (a "did you mean" suggestion)."""

        def fix(words: Phrase) -> Phrase:
            return tuple(corrections.get(word, word) for word in words)

        clauses = tuple(tuple(fix(one) for one in clause) for clause in self.clauses)
        query = Query(text="", clauses=clauses, excluded=self.excluded)
        return Query(text=query.web_syntax(), clauses=clauses, excluded=self.excluded)


def clean(text: str) -> str:
    """The text without control or unassigned characters, surrogates and private-use
    characters, normalised (NFC), its runs of space made one."""
    text = unicodedata.normalize("NFC", text)
    kept = "".join(ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cs", "Co", "Cn"})
    return " ".join(kept.split())


def fold(word: str) -> str:
    """A word as the vocabulary keeps it: lower case, without accents (the index's
    tokenizers remove diacritics too)."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words_of(text: str) -> list[str]:
    return WORD.findall(text)


def parse(text: str) -> Query:
    """Read a search as typed (see the module's docstring)."""
    notes: list[str] = []
    text = clean(text or "")
    if len(text) > MAX_LENGTH:
        text = text[:MAX_LENGTH]
        notes.append(f"Only the first {MAX_LENGTH} characters of your search were used.")
    clauses: list[list[Phrase]] = []
    excluded: list[Phrase] = []
    join_next = False
    for match in PIECE.finditer(text):
        negative, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare == "OR" and clauses and not join_next:
                join_next = True
                continue
            negative = "-" if bare.startswith("-") and len(bare) > 1 else ""
            words = tuple(words_of(bare[1:] if negative else bare))
        else:
            words = tuple(words_of(quoted))
        if not words:
            continue
        if negative:
            excluded.append(words)
            join_next = False
        elif join_next:
            clauses[-1].append(words)
            join_next = False
        else:
            clauses.append([words])
    if len(clauses) > MAX_TERMS:
        clauses = clauses[:MAX_TERMS]
        notes.append(f"Only the first {MAX_TERMS} words of your search were used.")
    return Query(
        text=text,
        clauses=tuple(tuple(clause) for clause in clauses),
        excluded=tuple(excluded[:MAX_TERMS]),
        notes=tuple(notes),
    )

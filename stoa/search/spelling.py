""" "Did you mean": a word of the search the index does not hold, one edit away from a word
it does (a letter dropped, added, changed or two swapped), as Norvig's corrector finds them.

The candidates are looked up in the index's vocabulary (models.Term: words as readers type
them, not stems) in one query through its unique index, on either database, with no
extension; among several, the one that finds most is offered (counted up to COUNTED: a
typo of a word in most documents would otherwise count hundreds of thousands of matches). A
suggestion is offered only when the corrected search finds something for this reader (its
first match is enough), so a word of a members-only body is never suggested to a visitor.
"""

from __future__ import annotations

import string

from django.db import connection

from stoa.search.backends import Filters, backend
from stoa.search.models import Term
from stoa.search.query import Query, fold

LETTERS = string.ascii_lowercase
MAX_CANDIDATES = 3
# Options are compared by how many documents they find, counted no further than this: past
# it, either finds plenty, and the one last in alphabetical order is offered.
COUNTED = 1000


def edits(word: str) -> set[str]:
    """Every word one edit away (Damerau: deletion, transposition, substitution, insertion)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [left + right[1:] for left, right in splits if right]
    swaps = [left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1]
    changes = [left + c + right[1:] for left, right in splits if right for c in LETTERS]
    inserts = [left + c + right for left, right in splits for c in LETTERS]
    return set(deletes + swaps + changes + inserts) - {word}


def _held(words: set[str]) -> set[str]:
    """Which of these words the vocabulary holds: one query through its unique index (in
    SQL of our own: the ORM prepares each of a word's ~500 neighbours one by one)."""
    if not words:
        return set()
    table = connection.ops.quote_name(Term._meta.db_table)
    marks = ", ".join(["%s"] * len(words))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT word FROM {table} WHERE word IN ({marks})", sorted(words))  # noqa: S608 - the table's name; the words are parameters
        return {row[0] for row in cursor.fetchall()}


def _finds(query: Query, *, members: bool, filters: Filters, limit: int) -> int:
    """How many documents the search finds for this reader, counting no further than limit."""
    return backend().matches(query, members=members, filters=filters, limit=limit)


def suggest(query: Query, *, members: bool, filters: Filters) -> Query | None:
    """A corrected search that finds something, or None."""
    words = {fold(word) for word in query.words if len(word) >= 3 and not word.isdigit()}
    if not words or len(words) > 6:
        return None
    unknown = words - _held(words)
    if not unknown:
        return None
    candidates = {word: edits(word) for word in unknown}
    held = _held(set().union(*candidates.values()))
    corrections: dict[str, str] = {}
    for word, near in candidates.items():
        options = sorted(near & held)[:MAX_CANDIDATES]
        if len(options) == 1:
            corrections[word] = options[0]
        elif options:
            # The option that finds most for this reader, alone (as before, the last in
            # alphabetical order among equals).
            scored = [
                (
                    _finds(
                        Query(text=one, clauses=(((one,),),)),
                        members=members,
                        filters=filters,
                        limit=COUNTED,
                    ),
                    one,
                )
                for one in options
            ]
            corrections[word] = max(scored)[1]
    if not corrections:
        return None
    corrected = query.replaced(
        {
            original: corrections[fold(original)]
            for original in query.words
            if fold(original) in corrections
        }
    )
    return corrected if _finds(corrected, members=members, filters=filters, limit=1) else None

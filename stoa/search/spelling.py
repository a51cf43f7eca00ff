""" "Did you mean": a word of the search the index does not hold, one edit away from a word
it does (a letter dropped, added, changed or two swapped), as Norvig's corrector finds them.

The candidates are looked up in the index's vocabulary (models.Term: words as readers type
them, not stems) in one query through its unique index, on either database, with no
extension; among several, the one that finds most is offered. A suggestion is offered only
when the corrected search finds something for this reader, so a word of a members-only body
is never suggested to a visitor.
"""

from __future__ import annotations

import string

from stoa.search.backends import Filters, backend
from stoa.search.models import Term
from stoa.search.query import Query, fold

LETTERS = string.ascii_lowercase
MAX_CANDIDATES = 5


def edits(word: str) -> set[str]:
    """Every word one edit away (Damerau: deletion, transposition, substitution, insertion)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [left + right[1:] for left, right in splits if right]
    swaps = [left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1]
    changes = [left + c + right[1:] for left, right in splits if right for c in LETTERS]
    inserts = [left + c + right for left, right in splits for c in LETTERS]
    return set(deletes + swaps + changes + inserts) - {word}


def suggest(query: Query, *, members: bool, filters: Filters) -> Query | None:
    """A corrected search that finds something, or None."""
    words = {fold(word) for word in query.words if len(word) >= 3 and not word.isdigit()}
    if not words or len(words) > 6:
        return None
    known = set(Term.objects.filter(word__in=words).values_list("word", flat=True))
    unknown = words - known
    if not unknown:
        return None
    candidates = {word: edits(word) for word in unknown}
    every = set().union(*candidates.values())
    held = set(Term.objects.filter(word__in=every).values_list("word", flat=True))
    corrections: dict[str, str] = {}
    for word, near in candidates.items():
        options = sorted(near & held)[:MAX_CANDIDATES]
        if not options:
            continue
        # The option that finds most for this reader, alone.
        scored = [
            (
                sum(
                    backend()
                    .count(Query(text=o, clauses=(((o,),),)), members=members, filters=filters)
                    .values()
                ),
                o,
            )
            for o in options
        ]
        best_count, best = max(scored)
        if best_count:
            corrections[word] = best
    if not corrections:
        return None
    corrected = query.replaced(
        {
            original: corrections[fold(original)]
            for original in query.words
            if fold(original) in corrections
        }
    )
    total = sum(backend().count(corrected, members=members, filters=filters).values())
    return corrected if total else None

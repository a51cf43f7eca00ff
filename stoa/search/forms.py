"""The search form: what the results page reads from the address."""

from __future__ import annotations

from django import forms

from stoa.search.backends import NEWEST, RELEVANCE
from stoa.search.models import Group


class SearchForm(forms.Form):
    """The filters and paging; the search text itself is read by stoa.search.query, which
    takes any text (a NUL, control characters) rather than refuse it."""

    type = forms.ChoiceField(
        required=False, choices=[("", "Everything"), *Group.choices], label="Show"
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[(RELEVANCE, "Best match"), (NEWEST, "Newest first")],
        label="Sort by",
    )
    category = forms.SlugField(required=False, label="Category")
    tag = forms.SlugField(required=False, label="Tag")
    author = forms.SlugField(required=False, label="Author")
    year = forms.IntegerField(required=False, min_value=1900, max_value=2200, label="Year")
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

"""The text a guest is found by in the organisers' search: names, organisation, e-mail."""

import unicodedata

from registration.models import Registration


def fold(text: str) -> str:
    """Case-folded and without accents, so "joao" finds "João" and "CHAN" finds "Chan"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def search_text_for(registration: Registration) -> str:
    parts = (registration.name, registration.name_latin, registration.organisation)
    return fold(" ".join([*parts, registration.email]))

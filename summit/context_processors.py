from django.utils.functional import SimpleLazyObject

from summit.selectors import current_summit


def summit(request) -> dict:
    # Lazy: pages that never show the summit (API, calendar files) pay no query.
    return {"summit": SimpleLazyObject(current_summit)}

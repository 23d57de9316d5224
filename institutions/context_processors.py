"""The county every page names in its title (templates/base.html)."""

from django.utils.functional import SimpleLazyObject

from .county import current_county_or_none


def county(request) -> dict:
    # Lazy: read once, and only by a template that shows it (the 400 and 500 pages,
    # which must render with the database down, do not extend base.html).
    return {"county": SimpleLazyObject(current_county_or_none)}

"""The county this installation serves, as every caller reads it.

From Django's shared cache (common/cached.py), dropped whenever the row is saved: in
production that cache is Redis, so every web and worker process sees an admin's edit
at once — a per-process cache would not. The row is read on every page title, case
number, filing number, signature and certificate; a closing decision alone read it
once for each number it gave.
"""

from django.core.exceptions import ImproperlyConfigured

from common.cached import cached, forget_on_change

from .models import County

COUNTY_KEY = "county"
forget_on_change(County, lambda county: [COUNTY_KEY])


class CountyNotLoaded(ImproperlyConfigured):
    """No county row yet: numbers, documents and certificates cannot be made."""


def current_county() -> County:
    county = cached(COUNTY_KEY, lambda: County.objects.filter(pk=County.SINGLE_ROW).first())
    if county is None:
        raise CountyNotLoaded("No county is loaded: run `python manage.py load_county <directory>` first.")
    return county


def current_county_or_none() -> County | None:
    """For pages, which must render (without the county's name) before a county is loaded."""
    try:
        return current_county()
    except CountyNotLoaded:
        return None

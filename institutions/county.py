"""The county this installation serves, as every caller reads it.

One indexed primary-key read, not a process cache: an installation runs several web
and worker processes, and a cache invalidated on save would only be fresh in the
process that saved, so an edit in the admin would show in some pages and not others.
The read costs well under a millisecond (docs/operations.md, "A new county"); it
happens once per page title, case number, filing number, signature and certificate.
"""

from django.core.exceptions import ImproperlyConfigured

from .models import County


class CountyNotLoaded(ImproperlyConfigured):
    """No county row yet: numbers, documents and certificates cannot be made."""


def current_county() -> County:
    county = County.objects.filter(pk=County.SINGLE_ROW).first()
    if county is None:
        raise CountyNotLoaded("No county is loaded: run `python manage.py load_county <directory>` first.")
    return county


def current_county_or_none() -> County | None:
    """For pages, which must render (without the county's name) before a county is loaded."""
    try:
        return current_county()
    except CountyNotLoaded:
        return None

"""Reading the audit log: filters and keyset pagination for the auditor."""

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from common.errors import InvalidInput

from .models import AuditEvent

MAX_LIMIT = 500


def filtered_events(params) -> tuple[list[AuditEvent], int | None]:
    """Events in id order after `cursor`, filtered; returns the page and the next cursor (or None)."""
    events = AuditEvent.objects.order_by("id")
    errors = {}
    for name in ("case_no", "action"):
        if params.get(name):
            events = events.filter(**{name: params[name]})
    if params.get("actor"):
        events = events.filter(actor_name=params["actor"])
    for name, lookup in (("after", "at__gte"), ("before", "at__lt")):
        if params.get(name):
            try:
                moment = parse_datetime(params[name])
            except ValueError:  # well-formed but impossible, e.g. month 13
                moment = None
            if moment is None:
                errors[name] = [_("时间格式应为 ISO 8601。")]
            else:
                events = events.filter(**{lookup: moment})
    cursor, limit = params.get("cursor"), params.get("limit", "100")
    if cursor:
        if not (str(cursor).isascii() and str(cursor).isdigit()) or len(str(cursor)) > 18:
            errors["cursor"] = [_("应为整数。")]
        else:
            events = events.filter(id__gt=int(cursor))
    if not (str(limit).isascii() and str(limit).isdigit()) or not 1 <= int(limit) <= MAX_LIMIT:
        errors["limit"] = [_("应为1至%(n)d之间的整数。") % {"n": MAX_LIMIT}]
    if errors:
        raise InvalidInput(fields=errors)
    page = list(events[: int(limit) + 1])
    more = len(page) > int(limit)
    page = page[: int(limit)]
    return page, (page[-1].pk if more and page else None)

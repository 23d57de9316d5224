"""Page-number pagination with a bounded page size."""

from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class UncountedPagination(PageNumberPagination):
    """The same response shape, {count, next, previous, results}, without COUNT(*) over the list.

    Reads page_size + 1 rows: the extra row says whether a next page exists. ``count`` is
    the exact total when this page is the last one (everything before it plus its rows),
    and null otherwise — a queue of 25,000 open steps is not counted on every request.
    Clients follow ``next`` until it is null. A page past the end is a 404, as before.
    Used by the task lists (docs/api-contract.md, docs/performance.md).
    """

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.url = request.build_absolute_uri()
        size = self.get_page_size(request) or self.page_size
        raw = request.query_params.get(self.page_query_param) or "1"
        try:
            number = int(raw)
            if number < 1:
                raise ValueError(raw)
        except ValueError:
            raise NotFound(self.invalid_page_message) from None
        offset = (number - 1) * size
        rows = list(queryset[offset : offset + size + 1])
        if number > 1 and not rows:
            raise NotFound(self.invalid_page_message)
        self.number, self.has_next = number, len(rows) > size
        self.page_rows = rows[:size]
        self.total = None if self.has_next else offset + len(self.page_rows)
        return self.page_rows

    def get_next_link(self):
        if not self.has_next:
            return None
        return replace_query_param(self.url, self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number <= 1:
            return None
        if self.number == 2:
            return remove_query_param(self.url, self.page_query_param)
        return replace_query_param(self.url, self.page_query_param, self.number - 1)

    def get_paginated_response(self, data):
        return Response(
            {"count": self.total, "next": self.get_next_link(), "previous": self.get_previous_link(), "results": data}
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"] = {
            "type": "integer",
            "nullable": True,
            "example": None,
            "description": "总条数：仅在最后一页给出（此前各页条数加本页条数）；其余各页为 null，请沿 next 翻页。",
        }
        return response

"""CSV and XLSX renderers for the auditor's exports: ``?format=csv|xlsx`` (DRF's format override) or Accept.

A view that offers them returns a ``common.exports.Table`` when one of them was
chosen and a JSON body otherwise; anything else — an error, OPTIONS — is answered in
JSON (ExportViewMixin), since it is not a table.
"""

from collections.abc import Sequence
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.renderers import BaseRenderer, JSONRenderer

from common import exports
from common.errors import InvalidInput


class _TableRenderer(BaseRenderer):
    charset: str | None = None  # XLSX is binary

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if not isinstance(data, exports.Table):
            raise TypeError("an export renderer renders a common.exports.Table")
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code == 200:
            response["Content-Disposition"] = (
                f'attachment; filename="{exports.filename(self.stem(renderer_context), self.format)}"'
            )
        return exports.render(data, self.format)

    @staticmethod
    def stem(renderer_context: Any) -> str:
        view = (renderer_context or {}).get("view")
        return getattr(view, "export_stem", "export")


class CSVRenderer(_TableRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"


class XLSXRenderer(_TableRenderer):
    media_type = exports.CONTENT_TYPES["xlsx"]
    format = "xlsx"


EXPORT_RENDERERS: Sequence[type[BaseRenderer]] = [JSONRenderer, CSVRenderer, XLSXRenderer]


class ExportViewMixin:
    """A list that answers JSON, CSV or XLSX; a bad ``format`` is a 400 and every error is JSON."""

    renderer_classes = EXPORT_RENDERERS
    export_stem = "export"

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force)  # type: ignore[misc]
        except (Http404, exceptions.NotFound):  # DRF's answer to an unknown ?format=
            formats = "、".join(renderer.format for renderer in self.renderer_classes)
            raise InvalidInput(fields={"format": [_("应为以下之一：%(values)s。") % {"values": formats}]}) from None

    def finalize_response(self, request, response, *args, **kwargs):
        # An error, or OPTIONS' description of the view, is a dict, not a table: answer it in JSON.
        chosen = getattr(request, "accepted_renderer", None)
        if isinstance(chosen, _TableRenderer) and not isinstance(getattr(response, "data", None), exports.Table):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]

    def exporting(self, request) -> bool:
        return getattr(request.accepted_renderer, "format", "json") in exports.FORMATS

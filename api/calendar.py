"""The working-day calendar in the API (docs/api-contract.md, "Time and the calendar").

Everyone signed in may count and read; only an administrator changes an override or
marks a year entered. Counting and reading are workflows/calendar.py, changes
workflows/services/calendar.py (audited) — the same code the deadlines and the admin use.
"""

import re
from datetime import date
from typing import cast

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import InvalidInput
from permissions.models import User
from workflows import calendar
from workflows.models.calendar import FIRST_YEAR, LAST_YEAR
from workflows.services import calendar as changes

from .common import IsAdmin, body

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DAYS = re.compile(r"\d{1,4}")
KINDS = [calendar.HOLIDAY, calendar.WORKDAY]


# --- shapes -------------------------------------------------------------------------------


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    days = serializers.IntegerField()
    end = serializers.DateField(help_text="第 days 个工作日（起始日不计入，民法典第201条）；期间至该日结束")
    warnings = serializers.ListField(child=serializers.CharField(), help_text="按周一至周五推算的年度等提示")


class SpecialDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=KINDS)
    name = serializers.CharField()


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    known = serializers.BooleanField(help_text="chinese-calendar 有该年数据，或管理员已标记该年录入完毕")
    days = SpecialDaySerializer(many=True, help_text="落在周一至周五的节假日和落在周末的调休上班日")


class CalendarDayRequest(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KINDS, help_text="holiday：放假；workday：调休上班")
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=changes.NAME_MAX_LENGTH, help_text="如“元旦”“春节调休上班”"
    )


class YearEnteredSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    known = serializers.BooleanField()


# --- parsing --------------------------------------------------------------------------------


def parse_date(value: str | None, field: str) -> date:
    """A date written YYYY-MM-DD in the years the calendar covers; anything else is a 400."""
    try:
        if value is None or not ISO_DATE.fullmatch(value):
            raise ValueError
        parsed = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(fields={field: ["日期格式应为 YYYY-MM-DD。"]}) from None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise InvalidInput(fields={field: [f"日期应在{FIRST_YEAR}年至{LAST_YEAR}年之间。"]})
    return parsed


def parse_days(value: str | None) -> int:
    if value is None or not DAYS.fullmatch(value) or int(value) > calendar.MAX_PERIOD_DAYS:
        raise InvalidInput(fields={"days": [f"工作日数应为0至{calendar.MAX_PERIOD_DAYS}之间的整数。"]})
    return int(value)


def check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(fields={"year": [f"年度应在{FIRST_YEAR}至{LAST_YEAR}之间。"]})
    return year


def acting_user(request: Request) -> User:
    # IsAdmin has let only a signed-in administrator through.
    return cast(User, request.user)


# --- endpoints ------------------------------------------------------------------------------


class AddWorkingDaysView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, required=True, description="事件发生之日 YYYY-MM-DD（不计入期间）"),
            OpenApiParameter("days", int, required=True, description=f"工作日数，0–{calendar.MAX_PERIOD_DAYS}"),
        ],
        responses=PeriodSerializer,
    )
    def get(self, request: Request) -> Response:
        start = parse_date(request.query_params.get("start"), "start")
        days = parse_days(request.query_params.get("days"))
        period = calendar.working_period(start, days)
        return Response(
            PeriodSerializer(
                {"start": period.start, "days": period.days, "end": period.end, "warnings": list(period.warnings)}
            ).data
        )


class YearView(APIView):
    @extend_schema(responses=YearSerializer)
    def get(self, request: Request, year: int) -> Response:
        known = calendar.year_calendar(check_year(year))
        return Response(YearSerializer({"year": known.year, "known": known.known, "days": known.days}).data)


class CalendarDayView(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(request=CalendarDayRequest, responses=SpecialDaySerializer)
    def put(self, request: Request, day: str) -> Response:
        on = parse_date(day, "date")
        data = CalendarDayRequest(data=body(request))
        data.is_valid(raise_exception=True)
        override = changes.set_calendar_day(
            user=acting_user(request),
            day=on,
            kind=data.validated_data["kind"],
            name=data.validated_data.get("name", ""),
        )
        kind = calendar.WORKDAY if override.is_workday else calendar.HOLIDAY
        return Response(
            SpecialDaySerializer({"date": on, "kind": kind, "name": override.name or calendar.KIND_LABELS[kind]}).data
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, day: str) -> Response:
        changes.remove_calendar_day(user=acting_user(request), day=parse_date(day, "date"))
        return Response(status=status.HTTP_204_NO_CONTENT)


class YearEnteredView(APIView):
    """An addition to the contract: the administrator marks a year's holidays entered in full."""

    permission_classes = [IsAdmin]

    @extend_schema(request=None, responses=YearEnteredSerializer)
    def put(self, request: Request, year: int) -> Response:
        changes.mark_year_entered(user=acting_user(request), year=check_year(year))
        return Response({"year": year, "known": True})

    @extend_schema(request=None, responses=YearEnteredSerializer)
    def delete(self, request: Request, year: int) -> Response:
        changes.unmark_year_entered(user=acting_user(request), year=check_year(year))
        return Response({"year": year, "known": calendar.library_knows(year)})


urlpatterns = [
    path("calendar/add-working-days/", AddWorkingDaysView.as_view(), name="calendar-add-working-days"),
    path("calendar/<int:year>/", YearView.as_view(), name="calendar-year"),
    path("calendar/<int:year>/entered/", YearEnteredView.as_view(), name="calendar-year-entered"),
    path("calendar/days/<str:day>/", CalendarDayView.as_view(), name="calendar-day"),
]

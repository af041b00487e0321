"""The union's downloads speak the reader's language, as the dashboard does, and
the charts draw English group names whole."""

import csv
import io
import re

import pytest
from django.test import Client
from openpyxl import load_workbook
from rest_framework.test import APIClient

from accounts.models import Role
from common.suppression import Cell
from scheduling.reports.charts import Bar, bar_chart
from tests.accounts.factories import UserFactory
from tests.scheduling.test_reports_turnout import World, build_world

pytestmark = pytest.mark.django_db

CSV = "/api/v1/reports/turnout.csv"
XLSX = "/api/v1/reports/turnout.xlsx"
SNAKE_CASE = re.compile(r"^[a-z]+(_[a-z]+)+$")


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def union() -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(role=Role.UNION))
    return client


def csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_csv_headers_are_words_in_chinese_by_default(
    world: World, union: APIClient
) -> None:
    rows = csv_rows(union.get(CSV, {"campaign": world.campaign.pk}))

    assert rows[0] == [
        "分组",
        "已报名",
        "已预约",
        "已签到",
        "已筛查",
        "爽约",
        "已取消",
        "已用资助名额",
        "到检率",
        "爽约率",
    ]
    assert rows[1][0] == "合计"
    assert ["日期", "报名", "预约", "签到"] in rows
    assert not any(SNAKE_CASE.match(cell) for row in rows for cell in row)


def test_the_csv_headers_and_groups_are_in_english_for_an_english_reader(
    world: World, union: APIClient
) -> None:
    response = union.get(
        CSV,
        {"campaign": world.campaign.pk, "group_by": "employment_type"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    rows = csv_rows(response)
    assert rows[0][:3] == ["Employment type", "Registered", "Booked"]
    assert rows[0][-2:] == ["Turnout rate", "No-show rate"]
    assert [row[0] for row in rows[1:5]] == [
        "All",
        "Courier",
        "Food delivery",
        "Ride-hailing",
    ]
    assert ["Day", "Registrations", "Bookings", "Check-ins"] in rows
    assert not any(SNAKE_CASE.match(cell) for row in rows for cell in row)


def test_the_xlsx_names_its_sheets_and_columns_in_the_readers_language(
    world: World, union: APIClient
) -> None:
    response = union.get(XLSX, {"campaign": world.campaign.pk, "group_by": "district"})

    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["到检情况", "每日情况"]
    turnout = list(book["到检情况"].iter_rows(values_only=True))
    assert turnout[0][:3] == ("区县", "已报名", "已预约")
    assert turnout[0][-2:] == ("到检率", "爽约率")
    assert {row[0] for row in turnout[2:4]} == {"解放区", "山阳区"}
    assert book["到检情况"]["A1"].font.bold
    assert next(iter(book["每日情况"].iter_rows(values_only=True))) == (
        "日期",
        "报名",
        "预约",
        "签到",
    )
    cells = [str(cell) for row in turnout for cell in row if cell is not None]
    assert not any(SNAKE_CASE.match(cell) for cell in cells)


def labels(svg: str) -> list[str]:
    """Each bar's label as drawn, its lines joined by a space."""
    found = re.findall(r'<text[^>]*class="lbl"[^>]*>(.*?)</text>', svg)
    return [" ".join(re.findall(r"<tspan[^>]*>(.*?)</tspan>", t)) or t for t in found]


def test_english_bar_labels_are_drawn_whole() -> None:
    names = ["Registered", "Checked in", "Food delivery", "Domestic service"]

    svg = bar_chart([Bar(n, Cell(7, False)) for n in names], title="t", threshold=5)

    assert labels(svg) == names


def test_a_label_too_long_for_half_the_chart_goes_on_two_lines() -> None:
    name = "Municipal Maternal and Child Health Hospital"

    svg = bar_chart([Bar(name, Cell(12, False))], title="t", threshold=5)

    assert svg.count("<tspan") == 2
    assert labels(svg) == [name]


def test_a_long_chinese_name_wraps_instead_of_being_cut_short() -> None:
    name = "市妇幼保健院东院区两癌筛查门诊"

    svg = bar_chart([Bar(name, Cell(12, False))], title="t", threshold=5)

    lines = re.findall(r"<tspan[^>]*>(.*?)</tspan>", svg)
    assert len(lines) == 2
    assert "".join(lines) == name


def test_the_dashboard_and_both_downloads_say_figures_are_adjusted_for_privacy(
    world: World, union: APIClient
) -> None:
    page = Client()
    page.force_login(UserFactory(role=Role.UNION))
    params = {"campaign": world.campaign.pk}

    html = page.get("/union/", params).content.decode()
    text = union.get(CSV, params).content.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(union.get(XLSX, params).content))
    notes = [row[0] for row in book.worksheets[0].iter_rows(values_only=True)]

    note = "为保护隐私,各项数字均经过舍入或轻微调整"
    assert note in html
    assert note in text
    assert any(note in str(cell) for cell in notes)

"""Charts: SVG drawn on the server carries the series values; they reach pages and PDFs."""
import datetime
import io

from bs4 import BeautifulSoup
from pypdf import PdfReader

from blueprints.complaints import service as complaints
from models import Complaint, Visit, clock
from services import charts, reports


def values(svg, series):
    page = BeautifulSoup(str(svg), "html.parser")
    return {e["data-label"]: float(e["data-value"])
            for e in page.select(f'[data-series="{series}"]')}


def test_bar_and_line_svg_carry_values():
    svg = charts.bars("测试", ["一", "二"], [("甲", [3, 0]), ("乙", [1, 2])])
    assert values(svg, "甲") == {"一": 3}
    assert values(svg, "乙") == {"一": 1, "二": 2}
    assert 'role="img"' in svg and "<title>测试</title>" in svg
    line = charts.line("率", ["1月", "2月", "3月"], [("按时", [50, None, 100])], unit="%", top=100)
    assert values(line, "按时") == {"1月": 50, "3月": 100}


def test_complaints_per_week_and_on_time_rate(users, database):
    for day, category in ((2, "服务质量"), (3, "服务质量"), (9, "产品质量")):
        complaints.intake(Complaint(received_at=datetime.datetime(2026, 10, day, 9),
                                    complainant="甲", content="x", category=category),
                          users["desk"])
    labels, series = reports.complaints_per_week(2026, 10)
    assert labels[:2] == ["10/1-7", "10/8-14"]
    assert dict(series)["服务质量"][:2] == [2, 0] and dict(series)["产品质量"][:2] == [0, 1]
    month_labels, rates = reports.on_time_rate_by_month(datetime.date(2026, 10, 31), count=2)
    assert month_labels == ["2026-09", "2026-10"] and rates == [None, None]


def test_visitors_per_day_by_class(database):
    today = datetime.date(2026, 11, 22)
    for cls, day in (("A", 22), ("C", 22), ("C", 21)):
        Visit.create(serial=f"FK-{cls}{day}", name="访客", reception_class=cls,
                     arrived_at=datetime.datetime(2026, 11, day, 10))
    labels, series = reports.visitors_per_day(today, days=2)
    assert labels == ["21", "22"]
    assert dict(series) == {"A": [0, 1], "B": [0, 0], "C": [1, 1]}


def test_reports_page_and_stats_pdf_show_charts(login, users, database):
    complaints.intake(Complaint(complainant="甲", content="x", category="服务质量"),
                      users["desk"])
    manager = login("manager")
    page = BeautifulSoup(manager.get("/reports").get_data(as_text=True), "html.parser")
    assert len(page.select("svg.chart")) == 7
    month = clock.today().strftime("%Y-%m")
    stats = BeautifulSoup(manager.get(f"/complaints/stats?month={month}").get_data(as_text=True),
                          "html.parser")
    assert stats.select('rect[data-series="服务质量"]')
    pdf = manager.get(f"/complaints/stats/print?month={month}")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    first = clock.today().replace(day=1)
    assert f"{first.month}/1-7" in text and "按时结案率" in text  # the charts' axes and legend
    assert login("desk").get("/reports").status_code == 403

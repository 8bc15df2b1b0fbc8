"""Printed forms: real PDFs whose Chinese text is extracted and checked."""
import io
import os

from fontTools.ttLib import TTFont
from pypdf import PdfReader

from models import AccessLog, EmergencyContact
from services import printing


def pdf_text(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def font_names(reader):
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def app_static(browser):
    return browser.client.application.static_folder


def missing_glyphs(static_folder, text):
    """Characters of the text that the bundled font has no glyph for."""
    with TTFont(os.path.join(static_folder, "fonts", "NotoSansSC-Regular.ttf"), lazy=True) as font:
        cmap = font.getBestCmap()
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap})


def test_customer_card_pdf_text(login, make_customer, database, users):
    customer = make_customer(name="张三丰", phone="13812345678", building="3栋", unit="2单元",
                             room="1201", id_number="11010519491231002X", owner=users["sales"],
                             tier="key", grade="A", notes="喜欢上午联系",
                             status="cooperating")
    EmergencyContact.create(customer=customer, name="李四", relation="配偶", phone="13900001111")
    desk = login("desk")
    reader, text = pdf_text(desk.get(f"/archives/{customer.id}/print"))
    compact = text.replace(" ", "")
    for expected in ("客服台示范物业管理处", "客户档案登记表", f"KH-{customer.id:06d}", "张三丰",
                     "138****5678", "110***********002X", "3栋-2单元-1201", "重点", "喜欢上午联系",
                     "李四", "配偶", "139****1111", "填表人", "客户确认", "打印时间", "1/1"):
        assert expected in compact, expected
    assert "13812345678" not in compact  # masked on paper too
    # Every glyph came from the bundled font: no fallback font, so nothing is missing.
    fonts = font_names(reader)
    assert fonts and all("Noto-Sans-SC" in name for name in fonts), fonts
    assert not missing_glyphs(app_static(desk), text)
    entry = AccessLog.get(AccessLog.action == "print")
    assert entry.record_id == customer.id and entry.user_id == users["desk"].id


def test_emergency_contact_form_pdf(login, make_customer, database):
    customer = make_customer(name="王五")
    EmergencyContact.create(customer=customer, name="赵六", relation="儿子", phone="13700001234",
                            workplace="华润便利店")
    _, text = pdf_text(login("desk").get(f"/archives/{customer.id}/contacts/print"))
    compact = text.replace(" ", "")
    for expected in ("客户紧急联络表", "王五", "赵六", "儿子", "137****1234", "华润便利店", "客户签名"):
        assert expected in compact, expected


def test_access_log_pdf_lists_entries(login, make_customer, database):
    customer = make_customer(name="孙七")
    desk = login("desk")
    desk.get(f"/archives/{customer.id}/print")
    _, text = pdf_text(login("manager").get("/access-log/print"))
    compact = text.replace(" ", "")
    assert "查阅登记" in compact and "孙七" in compact and "打印" in compact


def test_fetcher_refuses_files_and_network(app, tmp_path):
    from services.pdfrender import StaticOnlyFetcher
    fetcher = StaticOnlyFetcher(app.static_folder)
    for url in ("file:///etc/passwd", "http://example.com/x.png",
                printing.BASE_URL + "static/../app.py", printing.BASE_URL + "other/x.css"):
        try:
            fetcher.fetch(url)
        except ValueError:
            continue
        raise AssertionError(f"fetched {url}")
    css = fetcher.fetch(printing.BASE_URL + "static/css/print.css")
    assert b"@page" in css.read()


def test_harfbuzz_subsetting_is_installed():
    # Without it a two-page Chinese table takes seconds to print (the Makefile installs it).
    assert printing.harfbuzz_subset_available()


def test_qr_code_encodes_record_url():
    uri = printing.qr_data_uri("http://127.0.0.1:5000/archives/1")
    assert uri.startswith("data:image/svg+xml")


def test_slow_month_pdf_becomes_a_job_with_a_download(app, login, database):
    """A month PDF that takes longer than PDF_WAIT_SECONDS goes to a progress page; the finished
    PDF is downloaded from there, only by whoever asked for it."""
    from models import Job
    from tests.conftest import finished_job
    app.config["PDF_WAIT_SECONDS"] = 0
    manager = login("manager")
    started = manager.get("/complaints/stats/print?month=2026-10")
    assert started.status_code == 302 and "/jobs/" in started.location
    token = finished_job(started.location)
    assert Job.get(Job.token == token).state == "done"
    page = manager.get(started.location).get_data(as_text=True)
    assert "已完成" in page and "客诉案件统计表-202610.pdf" in page
    pdf = manager.get(f"/jobs/{token}/file")
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert "客诉案件统计表" in pdf_text(pdf)[1]
    assert login("gm").get(f"/jobs/{token}/file").status_code == 404
    assert AccessLog.get(AccessLog.action == "print").detail == "客诉案件统计表"


def test_month_pdf_within_the_wait_is_sent_at_once(login, database):
    response = login("manager").get("/vip/monthly/print?month=2026-10")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "会员月报" in pdf_text(response)[1]


def test_pdf_process_collects_garbage_its_own_way(login, make_customer, database):
    """The PDF process (not the app's) runs Python's collector at WeasyPrint's thresholds, past
    what its imports made, and a PDF made there is whole."""
    import gc

    from services.pdfrender import COLLECTOR_THRESHOLDS
    customer = make_customer(name="张三")
    reader, text = pdf_text(login("sales").get(f"/archives/{customer.id}/print"))
    assert "张三" in text
    assert printing._executor().submit(gc.get_threshold).result() == COLLECTOR_THRESHOLDS
    assert gc.get_threshold() != COLLECTOR_THRESHOLDS  # this process keeps Python's own
    # WeasyPrint's modules are set aside from the collections (tens of thousands of objects)
    assert printing._executor().submit(gc.get_freeze_count).result() > 10_000


def test_sheet_pages_keep_room_for_the_signatures():
    from blueprints.helpers import SHEET_LAST_ROOM, sheet_pages
    assert [len(p) for p in sheet_pages(list(range(50)), 22)] == [22, 22, 6]
    assert [len(p) for p in sheet_pages(list(range(44)), 22)] == [22, 14, 8]
    assert [len(p) for p in sheet_pages([], 22)] == [0]
    last = sheet_pages(list(range(22 - SHEET_LAST_ROOM)), 22)
    assert [len(p) for p in last] == [22 - SHEET_LAST_ROOM]


def test_a_sheets_pages_are_shared_evenly_by_the_pdf_processes():
    """Consecutive pages, the largest share as small as can be: 12 full pages and a short last
    one split 6 | 7 (162 | 169), not 7 | 6 (189 | 142)."""
    from services.printing import split_even
    assert split_even([27] * 12 + [7], 2) == [range(0, 6), range(6, 13)]
    assert split_even([27] * 14, 2) == [range(0, 7), range(7, 14)]
    assert split_even([5, 1, 1, 1, 1, 1], 2) == [range(0, 1), range(1, 6)]
    assert split_even([9], 2) == [range(0, 1)]
    assert split_even([3, 3, 3], 5) == [range(0, 1), range(1, 2), range(2, 3)]
    assert split_even([4, 4], 1) == [range(0, 2)]


def test_a_register_sheet_prints_like_paper(login, users, database):
    """访客登记表 of 44 visitors with long entries: 22 one-line rows a page, the headings on every
    page, each page numbered 第 N 页 共 M 页, and the last one leaves room for the signatures."""
    import datetime

    from blueprints.reception import service
    from models import Visit, clock
    from services import settings as settings_service
    settings = settings_service.load()
    with clock.frozen(datetime.datetime(2026, 11, 23, 9, 0)):
        for n in range(44):
            service.register_visit(Visit(
                name=f"访客{n:02d}", phone="13800001234", reception_class="C",
                purpose="洽谈物业服务合同续签并查看设备房" * 4, visitee="工程部值班主管" * 3,
                arrived_at=datetime.datetime(2026, 11, 23, 0, 5) + datetime.timedelta(
                    minutes=10 * n)), users["desk"], settings)
        reader, text = pdf_text(login("manager").get("/reception/visits/print?day=2026-11-23"))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) == 3
    for number, page in enumerate(pages, 1):
        assert f"第 {number} 页 共 3 页" in page
        assert "单号" in page and "访客登记表" in page and "幸福" not in page
    assert [page.count("FK-") for page in pages] == [22, 14, 8]
    assert "值班人员" in pages[-1] and "值班人员" not in pages[0]
    assert "共 44 条" in pages[-1]


def test_printed_links_use_the_site_url(app, login, database):
    """QR codes and printed links open the record at the address tablets reach the desk at,
    not at whatever address printed it (127.0.0.1 opens nothing when scanned)."""
    from blueprints.helpers import external_url
    from services import settings as settings_service
    admin = login("admin")
    page = admin.get("/admin/settings").get_data(as_text=True)
    assert 'name="site_url"' in page
    with app.test_request_context("/", base_url="http://127.0.0.1:5000"):
        assert external_url("archives.detail", id=5) == "http://127.0.0.1:5000/archives/5"
    settings_service.store({"site_url": "http://192.168.1.20:5000/"})
    with app.test_request_context("/", base_url="http://127.0.0.1:5000"):
        assert external_url("archives.detail", id=5) == "http://192.168.1.20:5000/archives/5"
        assert external_url("reception.index", day="2026-11-23") == \
            "http://192.168.1.20:5000/reception/?day=2026-11-23"


def test_english_prints_and_pages_use_english_punctuation(login, make_customer, database):
    """In English, labels on pages and prints end in ': ', not the full-width '：' (and the print
    says lang="en", so only a Chinese heading is letter-spaced)."""
    customer = make_customer(name="张三丰", phone="13812345678")
    desk = login("desk")
    desk.get("/lang/en")
    _, text = pdf_text(desk.get(f"/archives/{customer.id}/print"))
    assert "Customer Archive" in text and "Printed at: " in text, text[:300]
    assert "：" not in text
    with desk.client.application.test_request_context():
        from flask import render_template
        from flask_babel import force_locale
        with force_locale("en"):
            assert render_template("print/base.html", site={"site_name": "S"}).startswith(
                '<!doctype html>\n<html lang="en">')
    page = desk.get(f"/repairs/new?customer={customer.id}").get_data(as_text=True)
    assert "Customer: <strong>" in page and "：<strong>" not in page
    desk.get("/lang/zh")
    assert "客户：<strong>" in desk.get(f"/repairs/new?customer={customer.id}").get_data(
        as_text=True)

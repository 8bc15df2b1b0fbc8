"""A clerk on a 1024×768 tablet: sign in, add a customer, find them by pinyin initials, print."""
import io

import pytest
from pypdf import PdfReader

from models import Customer
from tests.browser import serious_violations, settled, sign_in

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect


def test_customer_journey_on_tablet(live, page, database, make_customer):
    make_customer(name="李四", phone="13900001111")
    sign_in(page, live.url, "desk")
    assert serious_violations(page) == []

    page.click("nav.modules >> text=客户档案")
    page.wait_for_url(live.url + "/archives/")
    page.click("text=新建客户")
    page.wait_for_url(live.url + "/archives/new")
    page.select_option("#kind", "resident")
    page.fill("#name", "张三")
    page.fill("#phone", "13812345678")
    page.fill("#building", "3栋")
    page.fill("#room", "1201")
    page.select_option("#status", "cooperating")
    assert serious_violations(page) == []
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("h1:has-text('张三')")
    assert Customer.get(Customer.name == "张三").phone == "13812345678"

    page.click("nav.modules >> text=客户档案")
    page.wait_for_url(live.url + "/archives/")
    settled(page)
    assert page.locator("#rows tbody tr").count() == 2
    page.fill("#filter-q", "zs")  # active search: htmx replaces the rows as you type
    page.wait_for_url("**q=zs**")  # and keeps the search in the address bar (hx-push-url)
    expect(page.locator("#rows tbody tr")).to_have_count(1)
    assert page.locator("#rows tbody a").inner_text() == "张三"
    page.click("#rows tbody a:has-text('张三')")
    page.wait_for_selector("text=打印档案登记表")
    assert "138****5678" in page.content()
    assert serious_violations(page) == []

    href = page.get_attribute("text=打印档案登记表", "href")
    pdf = page.request.get(live.url + href)
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "张三" in text and "客户档案登记表" in text.replace(" ", "")
    assert page.csp_errors == []


def test_reveal_and_header_search_with_htmx(live, page, database, make_customer):
    customer = make_customer(name="李四", phone="13900001111")
    sign_in(page, live.url, "desk")
    page.fill("#top-q", "ls")
    page.wait_for_selector("#top-results a:has-text('李四')")
    page.click("#top-results a:has-text('李四')")
    page.wait_for_url(f"{live.url}/archives/{customer.id}")
    page.click("summary:has-text('查看完整号码')")
    page.fill("input[name=reason]", "客户来电核对")
    page.click("button:has-text('查看')")
    page.wait_for_selector("strong:has-text('13900001111')")
    assert page.csp_errors == []


def test_english_locale_pages_are_accessible(live, page, database):
    sign_in(page, live.url, "manager")
    page.click("a.lang")
    page.wait_for_selector("text=My work")
    for path in ("/archives/", "/archives/new", "/access-log", "/audit"):
        page.goto(live.url + path)
        assert serious_violations(page) == [], path


def test_header_search_shows_who_each_hit_is(live, page, database, users):
    """Issue 22: in the header's dropdown the name was white on white; the search page ran the
    kinds together. Each hit's name is dark on the white dropdown, under its kind's heading."""
    from blueprints.complaints import service as complaints
    from models import Complaint
    customer = Customer.create(name="张小龙", phone="13912340000", kind="resident")
    complaints.intake(Complaint(complainant="张小龙", phone="13912340000", content="噪音",
                                category="服务质量", customer=customer), users["desk"])
    sign_in(page, live.url, "desk")
    page.fill("header .top-search input", "zxl")
    first = page.locator("#top-results a strong").first
    expect(first).to_be_visible()
    color = first.evaluate("e => getComputedStyle(e).color")
    assert color not in ("rgb(255, 255, 255)",), color
    page.goto(live.url + "/search?q=zxl")
    headings = page.locator(".search-kind").all_inner_texts()
    assert headings == ["客户档案", "投诉"]

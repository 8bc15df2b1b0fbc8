"""Import a small spreadsheet in the browser: preview, import, follow the job to its end."""
import io

import pytest
from openpyxl import Workbook

from models import Customer
from tests.browser import new_page, serious_violations, sign_in

pytestmark = pytest.mark.browser


def workbook():
    book = Workbook()
    for row in (["姓名", "手机", "房号"], ["张三", "13800001111", "1201"], ["李四", "12", "1202"]):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_with_progress(live, chromium, database):
    page = new_page(chromium)
    sign_in(page, live.url, "desk")
    page.goto(live.url + "/archives/import")
    page.set_input_files("#file", files=[{"name": "客户.xlsx", "buffer": workbook(),
                                          "mimeType": "application/vnd.openxmlformats-"
                                                      "officedocument.spreadsheetml.sheet"}])
    page.click("button:has-text('上传并预览')")
    page.wait_for_selector("text=可导入 1 行")
    assert "电话格式不正确" in page.inner_text("#import-rows")
    assert serious_violations(page) == []
    page.click("button:has-text('导入 1 行')")
    page.wait_for_selector("#job")
    assert page.locator("#job progress").count() + page.locator("#job .success").count() == 1
    page.wait_for_selector("#job >> text=完成", timeout=10000)  # htmx polls the job to its end
    assert [c.name for c in Customer.select()] == ["张三"]

"""Excel import: guessed columns, per-row problems, nothing saved until confirmed, all or none."""
import io
import time

import pytest
from bs4 import BeautifulSoup
from openpyxl import Workbook

from blueprints.archives import importing as imports
from models import Customer, Job, VipCard


def sheet(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ROWS = [["姓名", "手机", "房号", "备注"],
        ["张三", "13800001111", "1201", "老业主"],
        ["", "13800002222", "1202", ""],                 # no name
        ["李四", "12", "1203", ""],                      # bad phone
        ["王五", "13800001111", "1204", ""],             # same phone as row 2
        ["赵六", "13900009999", "1205", ""],             # already registered
        ["孙七", "13700003333", "", "商铺"]]


def upload(browser, data, kind="customers"):
    return browser.submit(f"/archives/import?kind={kind}",
                          {"file": (io.BytesIO(data), "客户.xlsx")},
                          page=f"/archives/import?kind={kind}", content_type="multipart/form-data")


def wait(token):
    for _ in range(100):
        job = Job.get(Job.token == token)
        if job.state in ("done", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError("job did not finish")


def test_guess_mapping_from_chinese_headers():
    assert imports.guess_mapping(["姓名", "手机", "房号", "备注"], "customers") == {
        "name": 0, "phone": 1, "room": 2, "notes": 3}


def test_preview_reports_rows_and_saves_nothing(login, make_customer, database):
    make_customer(name="已有", phone="13900009999")
    desk = login("desk")
    response = upload(desk, sheet(ROWS))
    assert response.status_code == 302 and "/archives/import/" in response.location
    page = BeautifulSoup(desk.get(response.location).get_data(as_text=True), "html.parser")
    problems = {int(tr.td.text): tr.select("td")[-1].text for tr in page.select("tbody tr")}
    assert problems[2] == "" and problems[7] == ""
    assert "缺少姓名" in problems[3] and "电话格式不正确" in problems[4]
    assert "与第 2 行电话重复" in problems[5] and "电话已登记（已有）" in problems[6]
    assert "可导入 2 行" in page.text
    assert Customer.select().count() == 1  # nothing imported until confirmed

    run = page.select_one("form[action*='/run']")
    data = {i["name"]: i["value"] for i in run.select("input[type=hidden]") if i["name"] !=
            "csrf_token"}
    started = desk.submit(run["action"], data, page=response.location)
    job = wait(started.location.rsplit("/", 1)[1])
    assert job.state == "done"
    assert sorted(c.name for c in Customer.select()) == ["孙七", "已有", "张三"]
    assert Customer.get(Customer.name == "张三").kind == "resident"
    done = desk.get(started.location).get_data(as_text=True)
    assert "导入 2 行" in done and "跳过 4 行" in done


def test_import_is_all_or_nothing(users, database):
    headers, rows = imports.read_sheet(sheet(ROWS))
    checked, _ = imports.check(rows, imports.guess_mapping(headers, "customers"), "customers")
    broken = [checked[0], imports.Row(99, dict(checked[-1].values, name=None), [])]
    try:
        imports.apply(broken, "customers", users["desk"], {})
    except Exception:
        pass
    assert Customer.select().count() == 0


def test_unreadable_file_and_missing_columns(login, database):
    desk = login("desk")
    bad = upload(desk, b"not a workbook")
    assert bad.status_code == 422 and "Excel" in bad.get_data(as_text=True)
    no_phone = upload(desk, sheet([["姓名"], ["张三"]]))
    page = desk.get(no_phone.location).get_data(as_text=True)
    assert "缺少必需的列" in page


def test_member_import_issues_cards(login, database):
    desk = login("desk")
    response = upload(desk, sheet([["会员姓名", "手机号", "生日", "性别"],
                                   ["周八", "13600004444", "1990-05-01", "女"]]), kind="members")
    page = BeautifulSoup(desk.get(response.location).get_data(as_text=True), "html.parser")
    run = page.select_one("form[action*='/run']")
    data = {i["name"]: i["value"] for i in run.select("input[type=hidden]") if i["name"] !=
            "csrf_token"}
    started = desk.submit(run["action"], data, page=response.location)
    assert wait(started.location.rsplit("/", 1)[1]).state == "done"
    card = VipCard.get()
    assert (card.name, card.gender, str(card.birthday)) == ("周八", "F", "1990-05-01")


def test_template_download(login):
    response = login("desk").get("/archives/import/template?kind=members")
    headers, rows = imports.read_sheet(response.data)
    assert headers == ["姓名", "手机", "生日", "性别", "证件号码", "地址"] and rows == []


def test_pressing_import_twice_imports_once(login, database):
    """Issue 19, item 8: two presses of 导入 (at once) make one job; 200 rows stay 200."""
    import threading
    desk = login("desk")
    rows = [["姓名", "手机"]] + [[f"客户{n}", f"1380000{n:04d}"] for n in range(200)]
    preview = upload(desk, sheet(rows)).location
    page = BeautifulSoup(desk.get(preview).get_data(as_text=True), "html.parser")
    run = page.select_one("form[action*='/run']")
    token = desk.token(preview)
    answers, start = [], threading.Barrier(2)

    def press():
        start.wait()
        answers.append(desk.post(run["action"], data={"csrf_token": token}).location)
    presses = [threading.Thread(target=press) for _ in range(2)]
    for thread in presses:
        thread.start()
    for thread in presses:
        thread.join()
    assert len(set(answers)) == 1  # both land on the one job
    job = wait(answers[0].rsplit("/", 1)[1])
    assert job.state == "done" and Job.select().count() == 1
    assert Customer.select().count() == 200
    again = desk.post(run["action"], data={"csrf_token": token})  # after it finished
    assert again.location == answers[0] and Customer.select().count() == 200


def test_a_huge_sheet_is_refused_before_its_rows_are_read(login, database):
    """Issue 19, item 7: the declared size refuses it at once; a sheet that hides its size is
    stopped on reaching the limit; nothing is saved."""
    big = Workbook(write_only=True)
    ws = big.create_sheet()
    ws.append(["姓名", "手机"])
    for n in range(imports.MAX_ROWS + 1):
        ws.append([f"客户{n}", f"138{n:08d}"])
    buffer = io.BytesIO()
    big.save(buffer)
    with pytest.raises(imports.SheetError, match="最多导入"):
        imports.read_sheet(buffer.getvalue())
    from bench.hostile_import import undeclared as without_dimension
    undeclared = without_dimension(buffer.getvalue())
    with pytest.raises(imports.SheetError, match="最多导入"):
        imports.read_sheet(undeclared)
    response = upload(login("desk"), undeclared)
    assert response.status_code == 422 and "最多导入" in response.get_data(as_text=True)
    assert Customer.select().count() == 0


@pytest.mark.parametrize("damage", [
    lambda xml: xml.replace(b"<sheetData>", b"<sheetData><row r=\"1\"><c"),   # broken XML
    lambda xml: b"<!DOCTYPE x [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]>" + xml,  # entities
    lambda xml: xml.replace(b"<sheetData>", b"<sheetData><row r=\"zz\"><c r=\"??\" t=\"n\"><v>x</v></c></row>"),
])
def test_a_damaged_workbook_gets_a_message_not_a_500(login, database, damage):
    import zipfile
    data = sheet(ROWS)
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item)
            target.writestr(item, damage(body) if item.filename == "xl/worksheets/sheet1.xml"
                            else body)
    response = upload(login("desk"), out.getvalue())
    assert response.status_code == 422
    assert "文件无法读取" in response.get_data(as_text=True)


def test_a_workbook_that_unpacks_too_large_is_refused_unread():
    """A part that unpacks past MAX_PART_BYTES (a zip bomb, or a sheet far over the row limit)
    is refused from the archive's directory, before openpyxl parses anything."""
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(sheet(ROWS))) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/media/padding.bin", b"\0" * (imports.MAX_PART_BYTES + 1))
    assert len(out.getvalue()) < 100_000  # small to upload
    with pytest.raises(imports.SheetError, match="最多导入"):
        imports.read_sheet(out.getvalue())

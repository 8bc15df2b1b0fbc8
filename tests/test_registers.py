"""The register engine's pages, through its first three registers: 停车证发放登记表 (with the
车位租售 register it depends on), 代保管单元钥匙申请表 and 水、电表底数确认单."""
import io

from bs4 import BeautifulSoup
from pypdf import PdfReader

from blueprints.registers.engine import REGISTERS
from models import AccessLog, AuditEntry, TimelineEntry, clock
from models.registers import KeyCustody, KeyLoan, MeterReading, ParkingDeal, ParkingPermit
from services import permissions
from tests.conftest import FROZEN, finished_job

TODAY = FROZEN.date()
PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
       "+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def errors(response):
    return [li.get_text(" ", strip=True) for li in soup(response).select(".errors li")]


def deal(customer, space="B2-018", kind="rent", ends="2027-06-30", **more):
    data = {"space": space, "kind": kind, "customer": str(customer.id),
            "starts_on": "2026-07-01", "ends_on": ends, "price": "450", "plate": "粤B12345"}
    data.update(more)
    return data


def test_every_register_has_its_permission_entry_and_each_role_sees_its_own(login, users):
    for register in REGISTERS.values():
        assert register.permission in permissions.RULES, register.slug
    sales = login("sales")  # (the complaint forms only)
    index = sales.get("/registers/").get_data(as_text=True)
    assert "签呈" in index and "停车证发放登记表" not in index
    assert sales.get("/registers/parking-permits/").status_code == 403
    engineer = login("engineer")
    assert engineer.get("/registers/meter-readings/").status_code == 200
    assert engineer.get("/registers/key-custody/").status_code == 403
    assert engineer.get("/registers/no-such-register/").status_code == 404


def test_a_parking_permit_needs_a_let_space_and_takes_a_number(login, users, make_customer,
                                                              database):
    desk = login("desk")
    owner = make_customer(name="王五", building="3", room="1201")
    refused = desk.submit("/registers/parking-permits/new", {
        "space": "B2-018", "plate": "粤B12345", "customer": str(owner.id),
        "issued_on": "2026-11-23", "valid_until": "2027-06-30"})
    assert refused.status_code == 422
    assert any("没有租售登记" in e for e in errors(refused))
    assert ParkingPermit.select().count() == 0

    assert desk.submit("/registers/parking-deals/new", deal(owner)).status_code == 302
    too_long = desk.submit("/registers/parking-permits/new", {
        "space": "b2-018", "plate": "粤b12345", "customer": str(owner.id),
        "issued_on": "2026-11-23", "valid_until": "2027-12-31"})
    assert too_long.status_code == 422
    assert any("不能超过车位租期" in e and "2027-06-30" in e for e in errors(too_long))

    made = desk.submit("/registers/parking-permits/new", {
        "space": "b2-018", "plate": "粤b12345", "customer": str(owner.id),
        "issued_on": "2026-11-23", "valid_until": "2027-06-30", "fee": "20"})
    assert made.status_code == 302
    permit = ParkingPermit.get()
    assert (permit.permit_no, permit.space, permit.plate) == (f"TC-{FROZEN:%Y%m}-0001",
                                                               "B2-018", "粤B12345")
    page = desk.get(made.location).get_data(as_text=True)
    assert "TC-202611-0001" in page and "有效" in page
    # the unit links to the customer's archive, and the permit is on their timeline
    assert f'/archives/{owner.id}"' in page
    entry = TimelineEntry.get(TimelineEntry.customer == owner.id,
                              TimelineEntry.kind == "parking-permits")
    timeline = desk.get(f"/archives/{owner.id}/timeline").get_data(as_text=True)
    assert f"/registers/parking-permits/{permit.id}" in timeline and entry.summary in timeline

    second = desk.submit("/registers/parking-permits/new", {
        "space": "B2-018", "plate": "粤B99999", "customer": str(owner.id),
        "issued_on": "2026-12-01", "valid_until": "2027-01-31"})
    assert any("已有有效停车证 TC-202611-0001" in e for e in errors(second))
    with clock.frozen(FROZEN.replace(year=2027, month=7, day=2)):
        desk = login("desk")
        assert "已过期" in desk.get(made.location).get_data(as_text=True)


def test_a_space_is_let_or_sold_never_both(login, users, make_customer, database):
    desk = login("desk")
    tenant, buyer = make_customer(name="租户甲"), make_customer(name="业主乙")
    assert desk.submit("/registers/parking-deals/new", deal(tenant)).status_code == 302
    sale = desk.submit("/registers/parking-deals/new",
                       deal(buyer, kind="sale", ends="", starts_on="2027-01-01"))
    assert sale.status_code == 422
    assert any("只能出租或出售其一" in e and "租户甲" in e for e in errors(sale))
    overlap = desk.submit("/registers/parking-deals/new",
                          deal(buyer, starts_on="2027-06-01", ends="2027-12-31"))
    assert any("已出租给 租户甲" in e for e in errors(overlap))
    no_end = desk.submit("/registers/parking-deals/new", deal(buyer, space="B2-019", ends=""))
    assert any("出租须填写到期日期" in e for e in errors(no_end))
    after = desk.submit("/registers/parking-deals/new",
                        deal(buyer, starts_on="2027-07-01", ends="2027-12-31"))
    assert after.status_code == 302
    assert ParkingDeal.select().count() == 2


def test_keys_go_out_only_to_the_authorised_with_their_id_checked(login, users, make_customer,
                                                                database):
    desk = login("desk")
    owner = make_customer(name="李四", building="2", room="0803")
    made = desk.submit("/registers/key-custody/new", {
        "customer": str(owner.id), "keys": "入户门钥匙", "count": "2",
        "authorised": "李四、张保洁", "holder": str(users["desk"].id),
        "received_on": "2026-11-20"})
    assert made.status_code == 302, errors(made)
    custody = KeyCustody.get()
    page = desk.get(made.location).get_data(as_text=True)
    assert "在库" in page
    new_loan = f"/registers/key-loans/new?parent={custody.id}"
    assert new_loan.replace("&", "&amp;") in page or new_loan in page

    stranger = desk.submit(new_loan, {"person": "王陌生", "id_number": "440101199001011233",
                                      "id_checked": "y", "out_at": "2026-11-23T09:30"})
    assert stranger.status_code == 422
    assert any("不在业主授权取用人之列" in e for e in errors(stranger))
    unchecked = desk.submit(new_loan, {"person": "张保洁", "id_number": "440101199001011233",
                                       "out_at": "2026-11-23T09:30"})
    assert any("须核对领用人证件" in e for e in errors(unchecked))
    bad_id = desk.submit(new_loan, {"person": "张保洁", "id_number": "440101199001011234",
                                    "id_checked": "y", "out_at": "2026-11-23T09:30"})
    assert any("校验码" in e for e in errors(bad_id))
    assert KeyLoan.select().count() == 0

    out = desk.submit(new_loan, {"person": "张保洁", "id_number": "440101199001011233",
                                 "id_checked": "y", "purpose": "保洁", "out_at": "2026-11-23T09:30"})
    assert out.status_code == 302, errors(out)
    loan = KeyLoan.get()
    assert loan.custody_id == custody.id and loan.back_at is None
    custody_page = desk.get(f"/registers/key-custody/{custody.id}").get_data(as_text=True)
    assert "借出中" in custody_page and "440***********1233" in custody_page
    assert "440101199001011233" not in custody_page
    again = desk.submit(new_loan, {"person": "李四", "id_number": "440101199001011233",
                                   "id_checked": "y", "out_at": "2026-11-23T10:00"})
    assert any("尚未归还" in e and "张保洁" in e for e in errors(again))

    back = desk.submit(f"/registers/key-loans/{loan.id}/do/return", {},
                       page=f"/registers/key-loans/{loan.id}")
    assert back.status_code == 302
    assert KeyLoan.get().back_at == FROZEN
    assert "在库" in desk.get(f"/registers/key-custody/{custody.id}").get_data(as_text=True)
    assert AuditEntry.select().where(AuditEntry.model == "KeyLoan").count() == 2

    # the full ID number is shown only after a reason, and the access log keeps it
    shown = desk.submit(f"/registers/key-loans/{loan.id}/reveal",
                        {"field": "id_number", "reason": "核对领用人"},
                        page=f"/registers/key-loans/{loan.id}")
    assert "440101199001011233" in shown.get_data(as_text=True)
    log = AccessLog.get(AccessLog.action == "reveal")
    assert (log.model, log.record_id, log.reason) == ("KeyLoan", loan.id, "核对领用人")


def reading(customer, value, **more):
    data = {"customer": str(customer.id), "meter": "power", "meter_no": "E-1201",
            "read_on": "2026-11-23", "reading": value}
    data.update(more)
    return data


def test_a_lower_reading_needs_a_meter_replacement_and_the_customer_signs(
        login, users, make_customer, database):
    engineer = login("engineer")
    unit = make_customer(name="赵六", building="1", room="0502")
    first = engineer.submit("/registers/meter-readings/new",
                            reading(unit, "1520.5", read_on="2026-10-23"))
    assert first.status_code == 302, errors(first)
    lower = engineer.submit("/registers/meter-readings/new", reading(unit, "12"))
    assert lower.status_code == 422
    assert any("低于上次底数 1520.50" in e for e in errors(lower))
    no_final = engineer.submit("/registers/meter-readings/new",
                               reading(unit, "12", replaced="y"))
    assert any("换表须填写旧表止数" in e for e in errors(no_final))
    assert MeterReading.select().count() == 1
    replaced = engineer.submit("/registers/meter-readings/new",
                               reading(unit, "12", replaced="y", old_final="1600"))
    assert replaced.status_code == 302
    new = MeterReading.get(MeterReading.read_on == TODAY)
    page = engineer.get(replaced.location).get_data(as_text=True)
    assert "待客户签字" in page and "用量" in page and "91.50" in page  # 1600 − 1520.5 + 12

    sign = f"/registers/meter-readings/{new.id}/do/sign"
    broken = engineer.submit(sign, {"signature": "data:image/png;base64,AAAA"},
                             page=replaced.location)
    assert broken.status_code == 422 and MeterReading.get_by_id(new.id).signature is None
    signed = engineer.submit(sign, {"signature": PNG}, page=replaced.location)
    assert signed.status_code == 302
    new = MeterReading.get_by_id(new.id)
    assert new.signature and new.signed_at == FROZEN
    page = engineer.get(replaced.location).get_data(as_text=True)
    assert "已签字确认" in page and 'src="data:image/png;base64,' in page
    assert engineer.submit(sign, {"signature": PNG}, page=replaced.location).status_code == 302
    assert AuditEntry.select().where(AuditEntry.model == "MeterReading",
                                     AuditEntry.action == "update").count() == 1


def test_list_search_export_and_prints(login, users, make_customer, database):
    desk = login("desk")
    owner = make_customer(name="张三丰", building="5", room="0101")
    desk.submit("/registers/parking-deals/new", deal(owner))
    desk.submit("/registers/parking-deals/new", deal(make_customer(name="李雷"), space="C-1"))
    found = soup(desk.get("/registers/parking-deals/?q=zsf"))
    assert [td.get_text(strip=True) for td in found.select("tbody tr td:first-child")] == ["B2-018"]
    assert len(soup(desk.get("/registers/parking-deals/?q=c-1")).select("tbody tr")) == 1
    assert len(soup(desk.get("/registers/parking-deals/?kind=sale")).select(
        "tbody tr td.muted")) == 1
    export = desk.get("/registers/parking-deals/export?q=zsf")
    assert export.status_code == 200
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(export.data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert "车位号" in [str(v) for v in values[0] + (values[1] if len(values) > 1 else [])]
    assert any("B2-018" in [str(v) for v in row] for row in values)
    assert not any("C-1" in [str(v) for v in row] for row in values)
    assert AccessLog.get(AccessLog.action == "export").model == "ParkingDeal"

    printed = desk.get("/registers/parking-deals/print?start=2026-07-01&end=2026-07-31")
    if printed.status_code == 302:
        finished_job(printed.location)
        printed = desk.get(printed.location.replace("/jobs/", "/jobs/") + "/file")
    text = PdfReader(io.BytesIO(printed.data)).pages[0].extract_text()
    assert "停车位租售状况登记表" in text and "qms-pm-31305" in text and "B2-018" in text
    assert "第 1 页 共 1 页" in text and "共 2 条" in text

    deal_id = ParkingDeal.get(ParkingDeal.space == "B2-018").id
    form = desk.get(f"/registers/parking-deals/{deal_id}/print")
    text = PdfReader(io.BytesIO(form.data)).pages[0].extract_text()
    assert "张三丰" in text and "450.00" in text and "主管审核" in text


def test_void_and_restore_keep_the_entry(login, users, make_customer, database):
    desk = login("desk")
    owner = make_customer()
    desk.submit("/registers/parking-deals/new", deal(owner))
    entry = ParkingDeal.get()
    page = f"/registers/parking-deals/{entry.id}"
    assert desk.submit(f"{page}/void", {"reason": ""}, page=page).status_code == 302
    assert not ParkingDeal.get().voided
    assert desk.submit(f"{page}/void", {"reason": "登记错误"}, page=page).status_code == 302
    assert ParkingDeal.get().voided
    assert "暂无登记" in desk.get("/registers/parking-deals/").get_data(as_text=True)
    assert desk.submit(f"{page}/edit", deal(owner), page=page).status_code == 409
    manager = login("manager")
    voided = manager.get("/records/voided?kind=parking-deals").get_data(as_text=True)
    assert "停车位租售状况登记表" in voided and "登记错误" in voided
    restored = manager.submit(f"/records/parking-deals/{entry.id}/restore", {},
                              page="/records/voided?kind=parking-deals")
    assert restored.status_code == 302 and not ParkingDeal.get().voided
    assert [e.action for e in AuditEntry.select().where(AuditEntry.model == "ParkingDeal")
            .order_by(AuditEntry.id)] == ["create", "void", "restore"]

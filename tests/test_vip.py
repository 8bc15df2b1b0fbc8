"""VIP routes: the counter, eligibility offer, enrolment, redemption, card life, outbox, prints."""
import datetime
import io
from decimal import Decimal

from bs4 import BeautifulSoup
from pypdf import PdfReader

from models import AccessLog, Gift, Message, PointsEntry, Purchase, VipCard, clock


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def enrol(browser, **overrides):
    data = {"name": "张三", "phone": "13800001111", "gender": "M", "handbook_given": "y",
            "birthday": "1990-03-15"}
    data.update(overrides)
    return browser.submit("/vip/enrol", data)


def test_eligible_purchase_offers_enrolment(login, database):
    desk = login("desk")
    small = desk.submit("/vip/counter", {"receipt_no": "R1", "amount_before": "999.99",
                                         "phone": "13800001111"})
    assert small.location == "/vip/counter"
    big = desk.submit("/vip/counter", {"receipt_no": "R2", "amount_before": "1000",
                                       "phone": "13800001111", "buyer_name": "张三"})
    assert big.location.startswith("/vip/enrol?phone=13800001111")
    form = soup(desk.get(big.location))
    assert form.find(id="phone")["value"] == "13800001111"
    assert [p.points for p in Purchase.select()] == [0, 0]  # non-members earn nothing


def test_enrolment_form_validation(login, database):
    desk = login("desk")
    bad = enrol(desk, name="", phone="123", handbook_given="", referrer="VIP99999999",
                id_number="110105194912310021")
    assert bad.status_code == 422
    page = soup(bad)
    assert "请输入姓名" in page.find(id="name-errors").text
    assert "会员手册" in page.find(id="handbook_given-errors").text
    assert "没有这个会员卡号" in page.find(id="referrer-errors").text
    assert VipCard.select().count() == 0
    enrol(desk)
    card = VipCard.get()
    assert card.number == "VIP00000001" and card.customer.phone == "13800001111"
    again = enrol(desk)
    assert "已有有效会员卡" in again.get_data(as_text=True) and VipCard.select().count() == 1


def test_counter_quote_and_member_purchase(login, database):
    desk = login("desk")
    enrol(desk)
    card = VipCard.get()
    quote = desk.get(f"/vip/counter/quote?card={card.id}&amount_before=500",
                     headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "会员折扣，按 90% 收取" in quote and "450.00" in quote and "+4" in quote
    promo = desk.get(f"/vip/counter/quote?card={card.id}&amount_before=500&promotional=y")
    assert "不享受会员折扣" in promo.get_data(as_text=True)
    unsigned = desk.submit(f"/vip/counter?card={card.id}", {"card": str(card.id),
                                                           "receipt_no": "R9",
                                                           "amount_before": "500"})
    assert unsigned.status_code == 422 and Purchase.select().count() == 0
    desk.submit(f"/vip/counter?card={card.id}", {"card": str(card.id), "receipt_no": "R9",
                                                 "amount_before": "500", "receipt_signed": "y"})
    purchase = Purchase.get()
    assert (purchase.amount_paid, purchase.points, purchase.card_id) == (Decimal("450.00"), 4,
                                                                         card.id)
    page = desk.get(f"/vip/cards/{card.id}").get_data(as_text=True)
    assert "R9" in page and "消费积分" in page


def test_redeem_and_refuse_beyond_balance(login, database):
    desk, manager = login("desk"), login("manager")
    enrol(desk)
    card = VipCard.get()
    manager.submit("/vip/gifts", {"name": "保温杯", "points": "5", "stock": "2", "active": "y"})
    gift = Gift.get()
    refused = desk.submit(f"/vip/cards/{card.id}/redeem", {"gift": str(gift.id)},
                          page=f"/vip/cards/{card.id}")
    assert "积分不足" in desk.get(refused.location).get_data(as_text=True)
    desk.submit(f"/vip/counter?card={card.id}", {"card": str(card.id), "receipt_no": "R1",
                                                 "amount_before": "1000", "receipt_signed": "y"})
    desk.submit(f"/vip/cards/{card.id}/redeem", {"gift": str(gift.id)}, page=f"/vip/cards/{card.id}")
    assert sum(e.delta for e in PointsEntry.select()) == 4 and Gift.get().stock == 1


def test_loss_reissue_and_renew(login, database):
    desk = login("desk")
    enrol(desk)
    card = VipCard.get()
    desk.submit(f"/vip/counter?card={card.id}", {"card": str(card.id), "receipt_no": "R1",
                                                 "amount_before": "1000", "receipt_signed": "y"})
    desk.submit(f"/vip/cards/{card.id}/loss", {}, page=f"/vip/cards/{card.id}")
    assert VipCard.get_by_id(card.id).state == "blocked"
    response = desk.submit(f"/vip/cards/{card.id}/reissue", {}, page=f"/vip/cards/{card.id}")
    fresh = VipCard.get(VipCard.previous == card)
    assert response.location == f"/vip/cards/{fresh.id}"
    page = soup(desk.get(f"/vip/cards/{fresh.id}"))
    assert page.select(".stat")[0].text.strip() == "9"
    desk.submit(f"/vip/cards/{fresh.id}/renew", {}, page=f"/vip/cards/{fresh.id}")
    renewed = VipCard.get(VipCard.previous == fresh)
    assert soup(desk.get(f"/vip/cards/{renewed.id}")).select(".stat")[0].text.strip() == "0"


def test_outbox_export_is_logged_and_honest(login, database):
    desk, manager = login("desk"), login("manager")
    tomorrow = clock.today() + datetime.timedelta(days=1)
    enrol(desk, birthday=tomorrow.replace(year=1990).isoformat()
          if not (tomorrow.month == 2 and tomorrow.day == 29) else "1992-02-29")
    manager.submit("/vip/outbox/birthdays", {}, page="/vip/outbox")
    assert Message.get().state == "pending"
    manager.submit("/vip/outbox/send", {}, page="/vip/outbox")  # no gateway configured
    assert Message.get().state == "pending"
    assert manager.get("/vip/outbox/export").status_code == 405  # never a plain link
    refused = manager.submit("/vip/outbox/export", {"reason": ""}, page="/vip/outbox")
    assert refused.status_code == 302 and Message.get().state == "pending"
    csv = manager.submit("/vip/outbox/export", {"reason": "短信平台发送生日祝福"},
                         page="/vip/outbox")
    assert "13800001111" in csv.get_data(as_text=True)
    assert Message.get().state == "exported"
    entry = AccessLog.get(AccessLog.action == "reveal")
    assert entry.model == "Message" and entry.reason == "短信平台发送生日祝福"
    assert desk.get("/vip/outbox").status_code == 403


def test_registration_form_pdf(login, database):
    desk = login("desk")
    blank = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        desk.get("/vip/form").data)).pages).replace(" ", "")
    assert "会员资料登记表" in blank and "会员须知" in blank
    enrol(desk)
    card = VipCard.get()
    filled = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        desk.get(f"/vip/form?card={card.id}").data)).pages).replace(" ", "")
    assert "张三" in filled and card.number in filled and "138****1111" in filled


def test_monthly_report(login, database):
    desk, manager = login("desk"), login("manager")
    enrol(desk)
    month = clock.today().strftime("%Y-%m")
    page = manager.get(f"/vip/monthly?month={month}").get_data(as_text=True)
    assert "VIP00000001" in page
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        manager.get(f"/vip/monthly/print?month={month}").data)).pages).replace(" ", "")
    assert "会员月报" in text and "VIP00000001" in text


def test_engineers_do_not_see_vip(login):
    assert login("engineer").get("/vip/").status_code == 403


def test_lookup_lists_members_and_cards_about_to_expire(login, database):
    """The cashier's lookup: each card links to its page and, while it works, to the counter;
    below, live cards that expire within 30 days (not voided ones, not later ones)."""
    from blueprints.vip.service import _EXPIRING_LIST
    from models import now
    desk = login("desk")
    for phone in ("13800001111", "13900002222", "13700003333", "13600004444"):
        enrol(desk, phone=phone)
    working, lapsed, soon, voided = VipCard.select().order_by(VipCard.id)
    today = now().date()
    VipCard.update(expires_on=today - datetime.timedelta(days=1)).where(
        VipCard.id == lapsed.id).execute()
    VipCard.update(expires_on=today + datetime.timedelta(days=10)).where(
        VipCard.id.in_([soon.id, voided.id])).execute()
    VipCard.update(voided=True).where(VipCard.id == voided.id).execute()

    found = soup(desk.get("/vip/?q=1111"))
    row = found.select_one("#cards tbody tr")
    assert [a["href"] for a in row.select("a")] == [f"/vip/cards/{working.id}",
                                                    f"/vip/counter?card={working.id}"]
    assert row.select("td")[2].get_text(strip=True) == "138****1111"
    expired = soup(desk.get("/vip/?q=2222")).select_one("#cards tbody tr")
    assert "已过期" in expired.get_text() and len(expired.select("a")) == 1
    # The card's own page: a working card redeems and records purchases, an expired one not.
    for card, works in ((working, True), (lapsed, False)):
        page = soup(desk.get(f"/vip/cards/{card.id}"))
        assert page.select_one("h1 .badge").get_text(strip=True) == ("有效" if works else "已过期")
        assert bool(page.select(f'form[action="/vip/cards/{card.id}/redeem"]')) is works
        assert bool(page.select(f'a[href="/vip/counter?card={card.id}"]')) is works
    expiring = [(a.get_text(" ", strip=True), a["href"]) for a in found.select("ul li a")]
    assert expiring == [(f"{soon.number} 张三", f"/vip/cards/{soon.id}")]
    assert all(_EXPIRING_LIST.compiled.values())  # its SQL is written once, then only bound


def test_the_points_list_runs_in_date_order_with_a_running_balance(login, users, database):
    """积分明细 on the card: oldest first, each line with the balance after it, ending at the
    card's balance, even when only the latest lines are shown."""
    from blueprints.vip import service
    from models import PointsEntry, now
    desk = login("desk")
    enrol(desk)
    card = VipCard.get()
    start = now() - datetime.timedelta(days=10)
    for day, delta in enumerate([5, 12, -4, 30, -10]):
        PointsEntry.create(card=card, at=start + datetime.timedelta(days=day), delta=delta,
                           kind="earn" if delta > 0 else "redeem", note=f"第{day}笔")
    rows = soup(desk.get(f"/vip/cards/{card.id}")).select(".card table tbody tr")
    ledger = [[td.get_text(strip=True) for td in row.select("td")] for row in rows
              if "第" in row.get_text()]
    assert [(r[2], r[3], r[4]) for r in ledger] == [
        ("+5", "5", "第0笔"), ("+12", "17", "第1笔"), ("-4", "13", "第2笔"),
        ("+30", "43", "第3笔"), ("-10", "33", "第4笔")]
    latest, _ = service.card_history(card, ledger_rows=2)
    assert [(e.delta, e.balance) for e in latest] == [(30, 43), (-10, 33)]
    assert service.balance(card) == 33

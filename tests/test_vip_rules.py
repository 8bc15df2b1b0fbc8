"""VIP rules: eligibility, every discount and its precedence, points, ledger, card life, outbox."""
import datetime
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from blueprints.vip import notices, service
from blueprints.vip.service import VipError
from models import Customer, Gift, Message, PointsEntry, Purchase, VipCard
from services import settings as settings_service

DEFAULTS = settings_service.DEFAULTS

D = datetime.datetime
TODAY = datetime.date(2026, 11, 22)


def make_card(users, birthday=datetime.date(1990, 3, 15), today=TODAY, **fields):
    customer = Customer.create(name="李四", phone="13900001111")
    card = VipCard(customer=customer, name="李四", phone="13900001111", birthday=birthday,
                   **fields)
    return service.enrol(card, users["desk"], settings_service.load(), today=today)


RECEIPTS = itertools.count(1)


def buy(users, amount, card=None, phone="13900001111", at=D(2026, 11, 22, 10, 0), **fields):
    receipt = fields.pop("receipt_no", f"R{next(RECEIPTS)}")
    id_shown = fields.pop("id_shown", False)
    fields.setdefault("receipt_signed", True)
    return service.record_purchase(Purchase(receipt_no=receipt, at=at, card=card, buyer_phone=phone,
                                            amount_before=Decimal(amount), **fields),
                                   users["desk"], DEFAULTS, id_shown=id_shown)


# ---- eligibility ----------------------------------------------------------------------------

def test_single_purchase_threshold(users):
    settings = settings_service.load()
    buy(users, "999.99")
    assert not service.eligible("13900001111", D(2026, 11, 22, 11), settings)
    buy(users, "1000.00", phone="13800002222")
    assert service.eligible("138-0000-2222", D(2026, 11, 22, 11), settings)


def test_cumulative_within_six_months_edge(users):
    settings = settings_service.load()
    buy(users, "900", at=D(2026, 5, 22, 10, 0))
    buy(users, "600", at=D(2026, 8, 1, 10, 0))
    buy(users, "500", at=D(2026, 11, 22, 9, 0))
    # 22 May 10:00 is exactly six months before: outside the window (900 + 600 + 500 = 2000).
    assert not service.eligible("13900001111", D(2026, 11, 22, 10, 0), settings)
    assert service.eligible("13900001111", D(2026, 11, 22, 9, 59), settings)
    buy(users, "900", at=D(2026, 11, 22, 10, 30))
    assert service.eligible("13900001111", D(2026, 11, 22, 11, 0), settings)
    assert not service.eligible("13700000000", D(2026, 11, 22, 11, 0), settings)  # no purchases


def test_thresholds_are_settings(users):
    settings_service.store({"vip_single_purchase": "500"})
    buy(users, "500")
    assert service.eligible("13900001111", D(2026, 11, 22, 11), settings_service.load())


def test_active_card_for_a_phone(users):
    """After a non-member purchase the counter offers a card unless the phone has a live one."""
    assert service.active_card_for("13900001111", TODAY) is None
    old = make_card(users, today=datetime.date(2024, 11, 20))  # valid until 2026-11-20
    assert service.active_card_for("139-0000-1111", datetime.date(2026, 11, 20)) == old
    assert service.active_card_for("13900001111", TODAY) is None  # expired
    fresh = make_card(users)
    assert service.active_card_for("13900001111", TODAY) == fresh
    service.report_loss(fresh, users["desk"])
    assert service.active_card_for("13900001111", TODAY) is None  # blocked
    assert all(service._ACTIVE_CARD.compiled.values())


# ---- discounts ---------------------------------------------------------------------------------

def test_discount_cases_and_precedence(users):
    card = make_card(users, birthday=datetime.date(1990, 11, 22))
    assert service.discount(card, TODAY, DEFAULTS, earned=0).rate == Decimal("0.90")  # no ID
    assert service.discount(card, TODAY, DEFAULTS, id_shown=True, earned=0).rate == Decimal("0.60")
    assert service.discount(card, TODAY, DEFAULTS, earned=30).rate == Decimal("0.85")
    assert service.discount(card, TODAY, DEFAULTS, earned=29).rate == Decimal("0.90")
    best = service.discount(card, TODAY, DEFAULTS, id_shown=True, earned=500)
    assert (best.rate, best.code) == (Decimal("0.60"), "birthday")  # best single rate, no stacking
    other_day = service.discount(card, TODAY + datetime.timedelta(days=1), DEFAULTS,
                                 id_shown=True, earned=0)
    assert other_day.rate == Decimal("0.90")
    assert service.discount(card, TODAY, DEFAULTS, promotional=True,
                            id_shown=True).rate == Decimal("1.00")
    assert service.discount(None, TODAY, DEFAULTS).code == "no_card"


def test_expired_and_blocked_cards_get_nothing(users):
    card = make_card(users, today=datetime.date(2024, 11, 20))
    assert service.card_status(card, datetime.date(2026, 11, 20)) == "active"
    assert service.discount(card, datetime.date(2026, 11, 21), DEFAULTS).code == "expired"
    purchase = buy(users, "500", card=card, at=D(2026, 11, 21, 10))
    assert (purchase.rate, purchase.points) == (Decimal("1.00"), 0)
    fresh = make_card(users)
    service.report_loss(fresh, users["desk"])
    assert service.discount(fresh, TODAY, DEFAULTS).code == "blocked"


def test_leap_day_birthday():
    card = VipCard(birthday=datetime.date(2000, 2, 29))
    assert service.is_birthday(card, datetime.date(2027, 2, 28))
    assert service.is_birthday(card, datetime.date(2028, 2, 29))
    assert not service.is_birthday(card, datetime.date(2028, 2, 28))


# ---- points --------------------------------------------------------------------------------------

def test_points_floor():
    assert service.points_for(Decimal("199")) == 1
    assert service.points_for(Decimal("99.99")) == 0
    assert service.points_for(Decimal("1000.00")) == 10


def test_purchase_earns_on_paid_amount(users):
    card = make_card(users)
    purchase = buy(users, "1000", card=card)
    assert (purchase.rate, purchase.amount_paid, purchase.points) == (
        Decimal("0.90"), Decimal("900.00"), 9)
    assert service.balance(card) == 9
    promo = buy(users, "300", card=card, promotional=True)
    assert (promo.amount_paid, promo.points) == (Decimal("300.00"), 3)


def test_redemption_rules(users):
    card = make_card(users)
    cup = Gift.create(name="保温杯", points=10, stock=1)
    buy(users, "1000", card=card)  # 9 points
    with pytest.raises(VipError, match="积分不足"):
        service.redeem(card, cup, users["desk"])
    buy(users, "200", card=card)  # 9 + 1 (¥180 paid)
    service.redeem(card, cup, users["desk"])
    assert service.balance(card) == 0 and Gift.get_by_id(cup.id).stock == 0
    buy(users, "2000", card=card)
    with pytest.raises(VipError, match="兑完"):
        service.redeem(card, cup, users["desk"])


def test_loyal_rate_after_thirty_points(users):
    card = make_card(users)
    buy(users, "3400", card=card)  # 3060 paid -> 30 points
    assert service.earned_total(card) == 30
    assert buy(users, "100", card=card).rate == Decimal("0.85")


# ---- card life -----------------------------------------------------------------------------------

def test_card_number_and_validity(users):
    card = make_card(users)
    assert card.number == "VIP00000001"
    assert (card.issued_on, card.expires_on) == (TODAY, datetime.date(2028, 11, 22))


def test_renewal_zeroes_and_reissue_keeps(users):
    card = make_card(users)
    buy(users, "3400", card=card)
    lost = service.report_loss(card, users["desk"])
    assert lost.state == "blocked"
    fresh = service.reissue(card, users["desk"])
    assert fresh.number != card.number and fresh.expires_on == card.expires_on
    assert service.balance(fresh) == 30 and service.balance(card) == 0
    assert service.earned_total(fresh) == 30  # still 8.5折 after a reissue
    renewed = service.renew(fresh, users["desk"], today=datetime.date(2026, 11, 22))
    assert service.balance(renewed) == 0 and service.earned_total(renewed) == 0
    assert renewed.expires_on == datetime.date(2028, 11, 22)
    assert VipCard.get_by_id(fresh.id).state == "renewed"


def test_referral_bonus_setting(users):
    referrer = make_card(users)
    customer = Customer.create(name="王五", phone="13700003333")
    service.enrol(VipCard(customer=customer, name="王五", phone="13700003333", referrer=referrer),
                  users["desk"], settings_service.load())
    assert service.balance(referrer) == 0  # default bonus is 0
    settings_service.store({"vip_referral_bonus": 5})
    other = Customer.create(name="赵六", phone="13600004444")
    service.enrol(VipCard(customer=other, name="赵六", phone="13600004444", referrer=referrer),
                  users["desk"], settings_service.load())
    assert service.balance(referrer) == 5


# ---- outbox -------------------------------------------------------------------------------------

def test_birthday_greetings_prepared_the_day_before(users):
    make_card(users, birthday=datetime.date(1985, 11, 23))
    settings = settings_service.load()
    created = notices.prepare_birthday_greetings(TODAY, settings)
    assert len(created) == 1 and "生日快乐" in created[0].text and created[0].state == "pending"
    assert notices.prepare_birthday_greetings(TODAY, settings) == []  # never twice
    csv_text = notices.export_outbox(created).decode("utf-8")
    assert "13900001111" in csv_text and Message.get().state == "exported"


def test_send_without_gateway_claims_nothing(users):
    card = make_card(users)
    messages = notices.prepare_promotion([card], "双十二会员日全场 8 折")
    with pytest.raises(VipError, match="未配置短信网关"):
        notices.send_outbox(messages, settings_service.load())
    assert Message.get().state == "pending"


def test_greetings_go_out_through_the_gateway_and_keep_its_answer(users, httpserver):
    """The same outbox as every notice: the gateway's acceptance makes it 已发送, a refusal
    (after the retries) 发送失败 with the reason, and sending twice sends nothing twice."""
    from models import Delivery
    from services import channels
    settings_service.store({"sms_gateway_url": httpserver.url_for("/sms")})
    httpserver.expect_oneshot_request("/sms", method="POST", json={
        "phone": "13900001111", "text": "双十二会员日全场 8 折"}).respond_with_data('{"ok": 1}')
    first = make_card(users)
    notices.send_outbox(notices.prepare_promotion([first], "双十二会员日全场 8 折"),
                        settings_service.load())
    httpserver.check_assertions()
    message = Message.get()
    assert (message.state, message.detail) == ("sent", '{"ok": 1}') and message.sent_at
    assert notices.send_outbox([message], settings_service.load()) == []  # not pending: no resend
    httpserver.expect_request("/sms", method="POST").respond_with_data("busy", status=503)
    second = make_card(users)
    VipCard.update(phone="13900002222").where(VipCard.id == second.id).execute()
    second = VipCard.get_by_id(second.id)
    notices.send_outbox(notices.prepare_promotion([second], "通知"), settings_service.load())
    failing = Message.get(Message.phone == "13900002222")
    assert failing.state == "queued"  # the gateway refused; the queue will try again
    channels.deliver(Delivery.get_by_id(failing.delivery_id), final=True)
    failing = Message.get_by_id(failing.id)
    assert failing.state == "failed" and failing.detail == "HTTP 503" and failing.sent_at is None


# ---- the ledger always adds up ----------------------------------------------------------------

operations = st.lists(st.one_of(
    st.tuples(st.just("buy"), st.decimals(min_value=1, max_value=5000, places=2)),
    st.tuples(st.just("redeem"), st.integers(min_value=1, max_value=60))), max_size=25)


@hsettings(max_examples=25, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_balance_is_ledger_sum_and_never_negative(users, ops):
    card = make_card(users)
    for kind, value in ops:
        if kind == "buy":
            buy(users, value, card=card)
        else:
            gift = Gift.create(name=f"礼品{Gift.select().count()}", points=value, stock=1)
            try:
                service.redeem(card, gift, users["desk"])
            except VipError:
                pass
        ledger = [e.delta for e in PointsEntry.select().where(PointsEntry.card == card)]
        assert service.balance(card) == sum(ledger) >= 0


def test_birthday_md_filled_for_cards_written_without_the_models(users):
    """After an upgrade (schema step 5) or rows written by hand, cards get their month-day."""
    from models.vip import fill_birthday_md
    leap, plain = make_card(users, birthday=datetime.date(2000, 2, 29)), make_card(users)
    VipCard.update(birthday_md="").execute()
    fill_birthday_md()
    assert [VipCard.get_by_id(c.id).birthday_md for c in (leap, plain)] == ["02-29", "03-15"]
    greetings = notices.prepare_birthday_greetings(datetime.date(2027, 2, 27),
                                                   settings_service.load())
    assert [m.card_id for m in greetings] == [leap.id]  # celebrated on the 28th in 2027


def test_a_receipt_is_recorded_once_per_card(users):
    """Issue 19, item 9: eight taps with one receipt number make one purchase on the card."""
    card = make_card(users)
    buy(users, "500", card=card, receipt_no="A-1001")
    with pytest.raises(service.VipError, match="A-1001"):
        buy(users, "500", card=card, receipt_no="A-1001")
    other = make_card(users)
    buy(users, "500", card=other, receipt_no="A-1001")  # another card's receipt series
    assert Purchase.select().where(Purchase.receipt_no == "A-1001").count() == 2
    assert service.balance(card) == 4


def test_the_member_rates_and_the_loyal_threshold_are_settings(users, database):
    """The spec's settings: the rates and the points that earn the loyal rate, read by the rule,
    the counter's quote and the purchase record."""
    card = make_card(users)
    changed = dict(DEFAULTS, vip_rates={"member": "0.88", "loyal": "0.80", "birthday": "0.50"},
                   vip_loyal_points=10)
    assert service.discount(card, TODAY, changed, earned=9).rate == Decimal("0.88")
    loyal = service.discount(card, TODAY, changed, earned=10)
    assert loyal.rate == Decimal("0.80") and str(loyal.reason) == "累计积分满 10 分"
    quote = service.quote(card, Decimal("100"), TODAY, changed)
    assert (quote.text, quote.paid, quote.points) == ("会员折扣，按 88% 收取", Decimal("88.00"), 0)
    purchase = service.record_purchase(
        Purchase(receipt_no="RATE-1", at=D(2026, 11, 22, 10, 0), card=card,
                 amount_before=Decimal("200"), receipt_signed=True), users["desk"], changed)
    assert (purchase.rate, purchase.amount_paid) == (Decimal("0.88"), Decimal("176.00"))
    assert Purchase.get_by_id(purchase.id).reason_text == "会员折扣，按 88% 收取"


def test_the_discount_reason_reads_in_the_readers_language(login, users, database):
    """Issue 22: a purchase recorded at a Chinese counter kept its reason in Chinese for an
    English reader; the reason is stored as the catalogue's source and translated when read."""
    card = make_card(users)
    service.record_purchase(Purchase(receipt_no="EN-1", at=D(2026, 11, 22, 10, 0), card=card,
                                     amount_before=Decimal("100"), receipt_signed=True),
                            users["desk"], settings_service.load())
    desk = login("desk")
    assert "会员折扣，按 90% 收取" in desk.get(f"/vip/cards/{card.id}").get_data(as_text=True)
    desk.get("/lang/en")
    english = desk.get(f"/vip/cards/{card.id}").get_data(as_text=True)
    assert "Member discount: pays 90% of the price" in english and "会员折扣" not in english


def test_a_member_purchase_needs_the_members_signature(users, database):
    card = make_card(users)
    with pytest.raises(VipError, match="签名"):
        buy(users, "300", card=card, receipt_signed=False)
    assert Purchase.select().where(Purchase.card == card).count() == 0
    walk_in = buy(users, "300", receipt_signed=False, phone="13900007777")  # no card: no rule
    assert Purchase.get_by_id(walk_in.id).amount_paid == Decimal("300.00")

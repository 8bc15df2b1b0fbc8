"""VIP rules: eligibility, the discount, points, the ledger, card life, referrals (the greetings
and notices that go out to members are in notices.py).

Each rule is one function; the counter screen, the PDFs and the tests all call these.
"""
import datetime
from collections import namedtuple
from decimal import ROUND_HALF_UP, Decimal

from peewee import Case, fn

from models import (
    Customer,
    Gift,
    PointsEntry,
    Purchase,
    Redemption,
    VipCard,
    db,
    is_postgres,
    now,
)
from models.base import Prepared, ids_in, literal
from models.customers import Status
from models.i18n import N_, stored_params, stored_text
from models.i18n import lazy_gettext as _l
from models.vip import (
    EARN,
    PENDING,
    REDEEM,
    REFERRAL,
    SENT,
    TRANSFER_IN,
    TRANSFER_OUT,
    CardState,
    CardStatus,
    birthday_keys,
)
from services import audit, identity, serials, timeline, workdays

VALID_YEARS = 2
POINT_YUAN = Decimal("100")  # one point per full ¥100 paid
MAX_AMOUNT = Decimal("10000000")  # one purchase, before discount
FULL_PRICE = Decimal("1.00")
# The member rates and the loyalty threshold are settings (vip_rates, vip_loyal_points).
# Why a purchase is charged what it is, by rule: catalogue sources, stored with the purchase
# and translated when read (models.i18n.stored_text).
REASONS = {"member": N_("会员折扣"), "loyal": N_("累计积分满 %(points)s 分"),
           "birthday": N_("生日当天凭身份证"), "none": N_("无折扣"),
           "promotional": N_("促销/特价/用券商品不享受会员折扣"), CardStatus.NO_CARD: N_("非会员"),
           CardStatus.EXPIRED: N_("会员卡已过期"), CardStatus.BLOCKED: N_("会员卡已挂失或停用")}
CHARGED = N_("%(reason)s，按 %(pct)s%% 收取")


class VipError(Exception):
    """A request the VIP rules refuse, with the reason for the user."""


# ---- card state -------------------------------------------------------------------------------

def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def card_status(card, today):
    """Whether the card works on `today` (CardStatus)."""
    if card is None:
        return CardStatus.NO_CARD
    if card.state != CardState.ACTIVE:
        return CardStatus.BLOCKED
    if today > card.expires_on:
        return CardStatus.EXPIRED
    return CardStatus.ACTIVE


def is_birthday(card, day):
    """The member's birthday (29 February is celebrated on 28 February in other years)."""
    if card is None or card.birthday is None:
        return False
    return card.birthday.strftime("%m-%d") in birthday_keys(day)


def earned_total(card):
    """Points a membership has earned in total (carried over by a reissue, not by a renewal)."""
    total = 0
    current = card
    while current is not None:
        total += (PointsEntry.select(fn.COALESCE(fn.SUM(PointsEntry.delta), 0))
                  .where((PointsEntry.card == current) &
                         PointsEntry.kind.in_([EARN, REFERRAL])).scalar()) or 0
        current = current.previous if current.previous_id and \
            current.previous.state == CardState.REPLACED else None
    return total


def balance(card):
    """The card's points: always the sum of its ledger."""
    return (PointsEntry.select(fn.COALESCE(fn.SUM(PointsEntry.delta), 0))
            .where(PointsEntry.card == card).scalar()) or 0


# ---- discount and points ------------------------------------------------------------------------

Discount = namedtuple("Discount", "rate reason code params")


def rates(settings):
    """The member rates from the settings, as Decimals (0.90 is 9折)."""
    return {code: Decimal(str(rate)) for code, rate in settings["vip_rates"].items()}


def discount(card, day, settings, promotional=False, id_shown=False, earned=None):
    """The best single member rate for a purchase, with the reason shown at the counter.

    By default: birthday with ID shown 6折; 8.5折 once the card has earned 30 points in total;
    otherwise 9折 (the rates and the threshold are settings). None for a promotional purchase,
    a non-member, or an expired or blocked card.
    """
    if promotional:
        return _discount(FULL_PRICE, "promotional")
    status = card_status(card, day)
    if not status.works:
        return _discount(FULL_PRICE, status)
    member_rates = rates(settings)
    loyal_points = int(settings["vip_loyal_points"])
    options = ["member"]
    if (earned if earned is not None else earned_total(card)) >= loyal_points:
        options.append("loyal")
    if id_shown and is_birthday(card, day):
        options.append("birthday")
    best = min(options, key=lambda code: member_rates[code])
    return _discount(member_rates[best], best, {"points": loyal_points} if best == "loyal" else {})


def _discount(rate, code, params=None):
    params = params or {}
    return Discount(rate, stored_text(REASONS[code], stored_params(params)), code, params)


def percent_of_price(rate):
    """0.85 -> '85', 0.875 -> '87.5': the share of the price a rate charges."""
    return format(Decimal(str(rate)) * 100, "f").rstrip("0").rstrip(".")


def terms(settings):
    """The member rates as shares of the price, and the loyal threshold, for printed terms."""
    return {**{code: percent_of_price(rate) for code, rate in rates(settings).items()},
            "points": int(settings["vip_loyal_points"])}


def stored_reason(rule):
    """The rule as the purchase record keeps it: (catalogue source, parameters as stored)."""
    reason = {"text": REASONS[rule.code], "params": rule.params}
    if rule.rate == FULL_PRICE:
        return reason["text"], stored_params(rule.params)
    return CHARGED, stored_params({"reason": reason, "pct": percent_of_price(rule.rate)})


def rate_reason(rule):
    """The rule as the counter states it, in the reader's language: why, and the share charged."""
    return stored_text(*stored_reason(rule))


Quote = namedtuple("Quote", "rule text paid points")


def quote(card, amount, day, settings, promotional=False, id_shown=False):
    """What the counter shows before saving: the rule, and for a valid amount what is paid and
    the points earned (None for an amount the form refuses)."""
    rule = discount(card, day, settings, promotional=promotional, id_shown=id_shown)
    if amount is None or not amount.is_finite() or not 0 < amount <= MAX_AMOUNT:
        return Quote(rule, rate_reason(rule), None, None)
    paid = paid_amount(amount, rule.rate)
    earns = card_status(card, day).works
    return Quote(rule, rate_reason(rule), paid, points_for(paid) if earns else 0)


def paid_amount(amount_before, rate):
    """What the customer pays: the amount times the rate, rounded to the fen."""
    return (Decimal(amount_before) * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def points_for(amount_paid):
    """1 point per full ¥100 actually paid (¥199 earns 1)."""
    return int(Decimal(amount_paid) // POINT_YUAN)


# ---- eligibility ---------------------------------------------------------------------------------

# A purchase's largest payment and its payments since a date, per phone, in one query; both are
# asked after every non-member purchase at the counter, so the SQL is written once (Prepared).
_PAYMENTS = Prepared(lambda since, number, at: Purchase.select(
    fn.MAX(Purchase.amount_paid),
    fn.SUM(Case(None, [(Purchase.at > since, Purchase.amount_paid)])))
    .where((Purchase.buyer_phone == number) & Purchase.not_voided() & (Purchase.at <= at)))


def eligible(phone, at, settings):
    """One purchase of at least ¥1,000 paid, or ¥2,000 paid within the last 6 months."""
    number = identity.normalize_phone(phone)
    if not number:
        return False
    single = Decimal(str(settings["vip_single_purchase"]))
    total = Decimal(str(settings["vip_cumulative"]))
    since = workdays.add_months(at, -int(settings["vip_cumulative_months"]))
    largest, recent = _PAYMENTS.row(since, number, at)
    if largest is None:
        return False
    return Decimal(str(largest)) >= single or Decimal(str(recent or 0)) >= total


_ACTIVE_CARD = Prepared(lambda number, state, today: VipCard.select().where(
    (VipCard.phone == number) & (VipCard.state == state) & (VipCard.expires_on >= today) &
    VipCard.not_voided()).order_by(VipCard.id.desc()))


def active_card_for(phone, today):
    return _ACTIVE_CARD.first(VipCard, identity.normalize_phone(phone), CardState.ACTIVE, today)


# ---- ledger ---------------------------------------------------------------------------------------

def _lock_card(card):
    """Serialise ledger changes of one card (SQLite transactions are already exclusive)."""
    if is_postgres():
        VipCard.select().where(VipCard.id == card.id).for_update().execute()


def record_purchase(purchase, actor, settings, id_shown=False, today=None):
    """Save a purchase: the rate, the amount paid and the points, in one transaction. A member
    signs for it, on the tablet or on the receipt."""
    today = today or purchase.at.date()
    if not 0 < Decimal(purchase.amount_before) <= MAX_AMOUNT:
        raise VipError(_l("金额必须大于 0，且不超过 1000 万元"))
    if card_status(purchase.card, today).works and not (
            purchase.signature or purchase.receipt_signed):
        raise VipError(_l("请会员在屏幕上签名或在小票上签名后勾选"))
    with db.atomic():
        card = purchase.card
        if card is not None:
            _lock_card(card)  # (so two clerks cannot both record one receipt on it)
            if Purchase.live().where((Purchase.card == card.id) &
                                     (Purchase.receipt_no == purchase.receipt_no)).exists():
                raise VipError(_l("小票 %(no)s 已在此会员卡登记过，不能重复登记",
                                  no=purchase.receipt_no))
        rule = discount(card, today, settings, promotional=purchase.promotional,
                        id_shown=id_shown)
        purchase.rate = rule.rate
        purchase.rate_reason, purchase.rate_reason_params = stored_reason(rule)
        purchase.amount_paid = paid_amount(purchase.amount_before, rule.rate)
        earns = card_status(card, today).works
        purchase.points = points_for(purchase.amount_paid) if earns else 0
        if card is not None:
            purchase.customer = card.customer
            purchase.buyer_phone = purchase.buyer_phone or card.phone
        purchase.cashier = actor
        audit.save(purchase, actor)
        if purchase.points:
            PointsEntry.create(card=card, at=purchase.at, delta=purchase.points, kind=EARN,
                               purchase=purchase, user=actor.id if actor else None,
                               note=purchase.receipt_no)
        timeline.add(purchase.customer, "vip", f"{purchase.receipt_no} ¥{purchase.amount_paid}",
                     ref_id=card.id if card else None, user=actor, at=purchase.at)
    return purchase


def redeem(card, gift, actor, today=None):
    """Exchange points for a gift: enough points and stock, never below zero, final."""
    today = today or now().date()
    with db.atomic():
        _lock_card(card)
        if not card_status(card, today).works:
            raise VipError(_l("会员卡无效，不能兑换"))
        gift = Gift.get_by_id(gift.id)
        if not gift.active or gift.stock < 1:
            raise VipError(_l("礼品已兑完"))
        points = balance(card)
        if points < gift.points:
            raise VipError(_l("积分不足：需要 %(need)s 分，现有 %(have)s 分", need=gift.points,
                              have=points))
        Gift.update(stock=Gift.stock - 1).where(Gift.id == gift.id).execute()
        redemption = Redemption.create(card=card, gift=gift, points=gift.points,
                                       user=actor.id if actor else None)
        PointsEntry.create(card=card, delta=-gift.points, kind=REDEEM, note=gift.name,
                           user=actor.id if actor else None)
        audit.record(audit.CREATE, redemption, actor, {}, {"gift": gift.name,
                                                           "points": gift.points})
    return redemption


# ---- card life -------------------------------------------------------------------------------------

def enrol(card, actor, settings, today=None):
    """Issue a card (VIP + 8 digits) valid two years; a referrer may earn bonus points."""
    today = today or now().date()
    with db.atomic():
        card.number = serials.next_serial("VIP")
        card.phone = identity.normalize_phone(card.phone)
        card.issued_on = today
        card.expires_on = add_years(today, VALID_YEARS)
        card.state = CardState.ACTIVE
        card.enrolled_by = actor
        audit.save(card, actor)
        timeline.add(card.customer, "vip", str(_l("入会 %(number)s", number=card.number)),
                     ref_id=card.id, user=actor)
        bonus = int(settings.get("vip_referral_bonus") or 0)
        if card.referrer_id and bonus > 0 and card_status(card.referrer, today).works:
            PointsEntry.create(card=card.referrer, delta=bonus, kind=REFERRAL,
                               note=card.number, user=actor.id if actor else None)
    return card


def report_loss(card, actor):
    """挂失: the card stops working at once."""
    if not card.can_report_loss:
        raise VipError(_l("只有有效的卡可以挂失"))
    card.state = CardState.BLOCKED
    audit.save(card, actor)
    timeline.add(card.customer, "vip", str(_l("挂失 %(number)s", number=card.number)),
                 ref_id=card.id, user=actor)
    return card


def reissue(card, actor, today=None):
    """补办: a new number with the same membership, balance and expiry; the old card is retired."""
    today = today or now().date()
    if not card.can_replace:
        raise VipError(_l("此卡不能补办"))
    with db.atomic():
        _lock_card(card)
        fresh = VipCard(customer=card.customer, name=card.name, phone=card.phone,
                        birthday=card.birthday, gender=card.gender, id_number=card.id_number,
                        address=card.address, issued_on=today, expires_on=card.expires_on,
                        state=CardState.ACTIVE, handbook_given=card.handbook_given, previous=card,
                        number=serials.next_serial("VIP"), enrolled_by=actor)
        audit.save(fresh, actor)
        points = balance(card)
        if points:
            PointsEntry.create(card=card, delta=-points, kind=TRANSFER_OUT, note=fresh.number,
                               user=actor.id if actor else None)
            PointsEntry.create(card=fresh, delta=points, kind=TRANSFER_IN, note=card.number,
                               user=actor.id if actor else None)
        card.state = CardState.REPLACED
        audit.save(card, actor)
        timeline.add(card.customer, "vip", str(_l("补办 %(old)s → %(new)s", old=card.number,
                                                  new=fresh.number)), ref_id=fresh.id, user=actor)
    return fresh


def renew(card, actor, today=None):
    """续卡 at or after expiry: a new card for two years; the old points do not carry over."""
    today = today or now().date()
    if not card.can_replace:
        raise VipError(_l("此卡已换新，不能续卡"))
    with db.atomic():
        fresh = VipCard(customer=card.customer, name=card.name, phone=card.phone,
                        birthday=card.birthday, gender=card.gender, id_number=card.id_number,
                        address=card.address, issued_on=today,
                        expires_on=add_years(today, VALID_YEARS), state=CardState.ACTIVE,
                        handbook_given=False, previous=card, number=serials.next_serial("VIP"),
                        enrolled_by=actor)
        audit.save(fresh, actor)
        card.state = CardState.RENEWED
        audit.save(card, actor)
        timeline.add(card.customer, "vip", str(_l("续卡 %(old)s → %(new)s", old=card.number,
                                                  new=fresh.number)), ref_id=fresh.id, user=actor)
    return fresh


# ---- monthly summary ---------------------------------------------------------------------------------

MONTHLY_DUE_DAY = 2  # 会员月报: by the 2nd of the next month

Monthly = namedtuple("Monthly", "year month new_members purchases purchase_total points_earned "
                                "points_redeemed expiring")


def monthly_summary(year, month):
    """会员月报: new members, purchases, points earned and redeemed, cards expiring next month."""
    start = datetime.date(year, month, 1)
    end = datetime.date(year + (month == 12), month % 12 + 1, 1)
    start_dt, end_dt = (datetime.datetime.combine(d, datetime.time()) for d in (start, end))
    new_members = list(VipCard.select().where((VipCard.issued_on >= start) &
                                              (VipCard.issued_on < end) &
                                              VipCard.previous.is_null() &
                                              VipCard.not_voided()))
    purchases = Purchase.select().where((Purchase.at >= start_dt) & (Purchase.at < end_dt) &
                                        Purchase.card.is_null(False) &
                                        Purchase.not_voided())
    ledger = PointsEntry.select(fn.COALESCE(fn.SUM(PointsEntry.delta), 0)).where(
        (PointsEntry.at >= start_dt) & (PointsEntry.at < end_dt))
    next_end = datetime.date(end.year + (end.month == 12), end.month % 12 + 1, 1)
    expiring = list(VipCard.select().where((VipCard.state == CardState.ACTIVE) &
                                           (VipCard.expires_on >= end) &
                                           (VipCard.expires_on < next_end)))
    return Monthly(year, month, new_members, purchases.count(),
                   purchases.select(fn.COALESCE(fn.SUM(Purchase.amount_paid), 0)).scalar() or 0,
                   ledger.where(PointsEntry.kind == EARN).scalar() or 0,
                   -(ledger.where(PointsEntry.kind == REDEEM).scalar() or 0), expiring)


def _card_hits():
    """What a card hit shows."""
    return VipCard.select(VipCard.id, VipCard.number, VipCard.name, VipCard.state).where(
        VipCard.not_voided())


def search_cards(query, limit):
    """Cards by number, phone tail, phone, name initials or name."""
    from services.search import Hit, equals, matching, starts
    if query.upper.startswith("VIP"):
        keys = [starts(VipCard.number, query.upper)]
    elif query.digits and len(query.digits) == 4:
        keys = [equals(VipCard.phone_tail, query.digits)]
    elif query.digits and len(query.digits) > 4:
        keys = [starts(VipCard.phone, query.digits), starts(VipCard.number, "VIP" + query.digits)]
    elif query.latin:
        keys = [starts(VipCard.name_initials, query.latin)]
    elif query.has_cjk:
        keys = [starts(VipCard.name, query.raw)]
    else:
        return []
    return matching(_card_hits, keys, limit, lambda c: Hit(
        "vip", f"{c.number} {c.name}", str(c.state_label), "vip.card", c.id))


def customer_for(name, phone, actor):
    """The member's customer record: the existing one with this phone, else a new shopper."""
    number = identity.normalize_phone(phone)
    existing = (Customer.select().where((Customer.phone == number) &
                                        Customer.not_voided())
                .order_by(Customer.id).first())
    if existing:
        return existing
    from services.customers import create_customer
    return create_customer(Customer(name=name, phone=number, kind="shopper",
                                    status=Status.COOPERATING, source="会员"), actor)


__all__ = ["VipError", "discount", "points_for", "eligible", "record_purchase", "redeem",
           "enrol", "report_loss", "reissue", "renew", "balance", "PENDING", "SENT"]


# ---- what the pages read ------------------------------------------------------------------------

# What the member list and the cards about to expire show.
LISTED = (VipCard.id, VipCard.number, VipCard.name, VipCard.phone, VipCard.state,
          VipCard.expires_on)
_EXPIRING_LIST = Prepared(lambda state, today, soon: VipCard.select(*LISTED).where(
    VipCard.not_voided() & (VipCard.state == state) & (VipCard.expires_on >= today) &
    (VipCard.expires_on < soon)).limit(literal(20)))


def listed_cards(ids):
    """The cards with these ids as the member list shows them, newest first."""
    if not ids:
        return []
    return list(VipCard.select(*LISTED).where(ids_in(VipCard.id, ids)).order_by(
        VipCard.id.desc()))


def expiring_soon(today, days=31):
    """Working cards that expire within `days`, the first twenty."""
    return _EXPIRING_LIST.rows(VipCard, CardState.ACTIVE, today,
                               today + datetime.timedelta(days=days))


def card_history(card, ledger_rows=100, purchase_rows=50):
    """(the latest ledger entries in the order they happened, each with the balance after it
    (balance), the newest purchases) of a card. The balances run from what the card held
    before the first entry shown, so they end at the card's balance."""
    latest = list(card.ledger.order_by(PointsEntry.at.desc(), PointsEntry.id.desc())
                  .limit(literal(ledger_rows)))[::-1]
    running = balance(card) - sum(entry.delta for entry in latest)
    for entry in latest:
        running += entry.delta
        entry.balance = running
    return latest, list(card.purchases.order_by(Purchase.id.desc()).limit(literal(purchase_rows)))


def statement_ledger(card):
    """Every ledger entry of a card in the order it happened."""
    return list(card.ledger.order_by(PointsEntry.at, PointsEntry.id))


def gifts():
    return Gift.select().order_by(Gift.points)


def redemption_count():
    return Redemption.select().count()


def redeemed_by_gift():
    """{gift id: how many were redeemed}."""
    return dict(Redemption.select(Redemption.gift, fn.COUNT(Redemption.id))
                .group_by(Redemption.gift).tuples())


def save_gift(gift, name, points, stock, active, actor):
    """Add a gift (gift None) or change one; a gift's name is unique."""
    name = name.strip()
    same = Gift.get_or_none(Gift.name == name)
    if same is not None and (gift is None or same.id != gift.id):
        raise VipError(_l("已有同名礼品"))
    gift = gift or Gift()
    gift.name, gift.points, gift.stock, gift.active = name, points, stock, active
    return audit.save(gift, actor)


def balances():
    """{card id: its points balance} for every card with a ledger."""
    return dict(PointsEntry.select(PointsEntry.card, fn.SUM(PointsEntry.delta))
                .group_by(PointsEntry.card).tuples())


def live_cards():
    return VipCard.live().order_by(VipCard.id)


# ---- the cashier's home panel -------------------------------------------------------------------

_BIRTHDAYS = Prepared(lambda state, today, day, other_day: VipCard.select(
    fn.COUNT(VipCard.id)).where((VipCard.state == state) & (VipCard.expires_on >= today) &
                                VipCard.birthday_md.in_([day, other_day])))
_EXPIRING_COUNT = Prepared(lambda state, today, month_end: VipCard.select(
    fn.COUNT(VipCard.id)).where((VipCard.state == state) & (VipCard.expires_on >= today) &
                                (VipCard.expires_on < month_end)))


def home_tiles(user, today):
    """The cashier's counters: members with a birthday today, cards expiring this month, as
    (endpoint, label, count, url arguments, warn)."""
    from models.users import DESK, SALES
    if user.role not in (DESK, SALES):
        return []
    month_end = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    keys = birthday_keys(today)  # one day, or two (28 February counts 29 February's)
    return [
        ("vip.index", _l("今天生日的会员"), lambda: _BIRTHDAYS.later(
            CardState.ACTIVE, today, keys[0], keys[-1]), {}, False),
        ("vip.index", _l("本月到期的会员卡"), lambda: _EXPIRING_COUNT.later(
            CardState.ACTIVE, today, month_end), {}, False)]

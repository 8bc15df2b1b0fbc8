"""VIP members (会员): cards, purchases, the points ledger, gifts, redemptions, the greetings outbox."""
import calendar
from enum import StrEnum

from peewee import (
    BlobField,
    BooleanField,
    CharField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    TextField,
    fn,
)

from models.i18n import lazy_gettext as _l
from models.i18n import stored_text

from .base import (
    BaseModel,
    DateField,
    DateTimeField,
    SearchKeys,
    Voidable,
    is_sqlite,
    label_of,
    now,
    search_index,
    sparse_index,
)
from .complaints import Delivery
from .customers import Customer
from .users import User


class CardState(StrEnum):
    """What was done to a card (stored)."""
    ACTIVE = "active"
    BLOCKED = "blocked"  # 挂失
    REPLACED = "replaced"  # 补办: a new number took over
    RENEWED = "renewed"  # 续卡: a new two-year card took over


class CardStatus(StrEnum):
    """Whether a card works today: its state and its expiry (an expired card stops by itself)."""
    NO_CARD = "no_card"
    ACTIVE = "active"
    EXPIRED = "expired"
    BLOCKED = "blocked"  # blocked, replaced or renewed

    @property
    def works(self):
        """The card earns points, gives its discount and redeems gifts today."""
        return self is CardStatus.ACTIVE

    @property
    def expired(self):
        return self is CardStatus.EXPIRED


CARD_STATES = {CardState.ACTIVE: _l("有效"), CardState.BLOCKED: _l("已挂失"),
               CardState.REPLACED: _l("已补办换卡"), CardState.RENEWED: _l("已续卡")}
GENDERS = {"F": _l("女"), "M": _l("男"), "": _l("未填")}


class VipCard(SearchKeys, Voidable):
    """会员资料登记表 and the card: valid two years; lost cards are blocked and reissued."""

    record_name = _l("会员卡")

    masked_fields = {"phone": "phone", "id_number": "id"}

    number = CharField(max_length=12, unique=True)
    customer = ForeignKeyField(Customer, backref="vip_cards", on_delete="CASCADE")
    name = CharField(max_length=40)
    phone = CharField(max_length=20)
    phone_tail = CharField(max_length=4, default="")
    name_initials = CharField(max_length=80, default="")
    birthday = DateField(null=True)
    # "MM-DD" of the birthday, kept on every save: today's birthdays are found along an index
    # instead of reading every active card (see birthday_keys).
    birthday_md = CharField(max_length=5, default="", index=True)
    gender = CharField(max_length=1, default="")
    id_number = CharField(max_length=30, default="")
    address = CharField(max_length=200, default="")
    issued_on = DateField()
    expires_on = DateField(index=True)
    state = CharField(max_length=10, default=CardState.ACTIVE, index=True)
    handbook_given = BooleanField(default=False)
    referrer = ForeignKeyField("self", null=True, backref="referrals", on_delete="SET NULL",
                               index=False)
    previous = ForeignKeyField("self", null=True, backref="successors", on_delete="SET NULL",
                               index=False)
    enrolled_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    def label(self):
        return f"{self.number} {self.name}"

    def save(self, *args, **kwargs):
        self.birthday_md = self.birthday.strftime("%m-%d") if self.birthday else ""
        return super().save(*args, **kwargs)

    @property
    def can_report_loss(self):
        """挂失 stops a working card only."""
        return self.state == CardState.ACTIVE

    @property
    def can_replace(self):
        """补办 or 续卡: a card not yet taken over by a new one (working or blocked)."""
        return self.state in (CardState.ACTIVE, CardState.BLOCKED)

    state_label = label_of("state", CARD_STATES)


def birthday_keys(day):
    """The birthday_md values celebrated on `day`: 29 February is celebrated on 28 February in
    years without one."""
    keys = [day.strftime("%m-%d")]
    if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
        keys.append("02-29")
    return keys


def fill_birthday_md():
    """Every card's birthday_md from its birthday (after an upgrade, or after rows were written
    without the models, as the benchmark's generator does)."""
    month_day = (fn.SUBSTR(VipCard.birthday, 6, 5) if is_sqlite()  # stored as YYYY-MM-DD
                 else fn.TO_CHAR(VipCard.birthday, "MM-DD"))
    VipCard.update(birthday_md=month_day).where(VipCard.birthday.is_null(False)).execute()

VipCard.add_index(sparse_index(VipCard, VipCard.previous))

VipCard.add_index(sparse_index(VipCard, VipCard.referrer))

for _field in (VipCard.name, VipCard.phone, VipCard.phone_tail, VipCard.name_initials):
    VipCard.add_index(search_index(VipCard, _field))


class Purchase(Voidable):
    """A purchase at the counter, by a member or not (non-members are followed for eligibility)."""

    record_name = _l("会员消费")

    masked_fields = {"buyer_phone": "phone"}

    receipt_no = CharField(max_length=40, index=True)
    at = DateTimeField(default=now, index=True)
    card = ForeignKeyField(VipCard, null=True, backref="purchases", on_delete="SET NULL")
    customer = ForeignKeyField(Customer, null=True, backref="purchases", on_delete="SET NULL")
    buyer_phone = CharField(max_length=20, default="", index=True)
    buyer_name = CharField(max_length=40, default="")
    amount_before = DecimalField(max_digits=12, decimal_places=2)
    promotional = BooleanField(default=False)
    rate = DecimalField(max_digits=4, decimal_places=2, default=1)
    rate_reason = CharField(max_length=100, default="")
    rate_reason_params = TextField(default="")  # set: rate_reason is a catalogue source
    amount_paid = DecimalField(max_digits=12, decimal_places=2)
    points = IntegerField(default=0)
    receipt_signed = BooleanField(default=False)
    signature = BlobField(null=True)
    cashier = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    def label(self):
        return f"{self.receipt_no} ¥{self.amount_paid}"

    @property
    def reason_text(self):
        """Why it was charged what it was, in the reader's language."""
        return stored_text(self.rate_reason, self.rate_reason_params)


EARN, REDEEM, REFERRAL, TRANSFER_IN, TRANSFER_OUT = ("earn", "redeem", "referral",
                                                     "transfer_in", "transfer_out")
LEDGER_KINDS = {EARN: _l("消费积分"), REDEEM: _l("兑换礼品"), REFERRAL: _l("推荐奖励"),
                TRANSFER_IN: _l("补卡转入"), TRANSFER_OUT: _l("补卡转出")}


class PointsEntry(BaseModel):
    """One change of points; a card's balance is always the sum of its entries."""

    card = ForeignKeyField(VipCard, backref="ledger", on_delete="CASCADE")
    at = DateTimeField(default=now, index=True)
    delta = IntegerField()
    kind = CharField(max_length=14)
    purchase = ForeignKeyField(Purchase, null=True, on_delete="SET NULL")
    note = CharField(max_length=200, default="")
    user = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")

    kind_label = label_of("kind", LEDGER_KINDS)


class Gift(BaseModel):
    """A gift members may redeem points for."""

    record_name = _l("礼品")

    name = CharField(max_length=60, unique=True)
    points = IntegerField()
    stock = IntegerField(default=0)
    active = BooleanField(default=True)

    def label(self):
        return self.name


class Redemption(BaseModel):
    """A gift handed over for points: final, never cancelled, refunded or exchanged."""

    card = ForeignKeyField(VipCard, backref="redemptions", on_delete="CASCADE")
    gift = ForeignKeyField(Gift, backref="redemptions", on_delete="CASCADE")
    points = IntegerField()
    at = DateTimeField(default=now)
    user = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")


PENDING, QUEUED, EXPORTED, SENT, FAILED = "pending", "queued", "exported", "sent", "failed"
MESSAGE_STATES = {PENDING: _l("待发送"), QUEUED: _l("发送中"), EXPORTED: _l("已导出"), SENT: _l("已发送"),
                  FAILED: _l("发送失败")}
BIRTHDAY, PROMOTION, HOLIDAY = "birthday", "promotion", "holiday"


class Message(BaseModel):
    """An outbox message (birthday greeting, promotion notice) with an honest status."""

    record_name = _l("短信")

    masked_fields = {"phone": "phone"}

    kind = CharField(max_length=10)
    card = ForeignKeyField(VipCard, backref="messages", on_delete="CASCADE")
    phone = CharField(max_length=20)
    text = TextField()
    for_date = DateField(null=True, index=True)
    state = CharField(max_length=10, default=PENDING, index=True)
    prepared_at = DateTimeField(default=now)
    sent_at = DateTimeField(null=True)
    detail = CharField(max_length=200, default="")
    # The outbox entry carrying it through the SMS gateway (its outcome becomes this state).
    delivery = ForeignKeyField(Delivery, null=True, backref="+", on_delete="SET NULL")

    state_label = label_of("state", MESSAGE_STATES)

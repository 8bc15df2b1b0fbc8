"""VIP notices: birthday and holiday greetings, promotion notices, and their way out (a CSV
for an SMS platform, or the SMS gateway through services.channels)."""
import datetime

from models import Delivery, Message, VipCard, db, now
from models.base import literal
from models.i18n import lazy_gettext as _l
from models.vip import (
    BIRTHDAY,
    EXPORTED,
    HOLIDAY,
    PENDING,
    PROMOTION,
    QUEUED,
    CardState,
    birthday_keys,
)
from services import channels, exports, workdays

from .service import VipError, card_status


def prepare_birthday_greetings(today, settings):
    """The day before: one greeting per active member whose birthday is tomorrow (never twice)."""
    tomorrow = today + datetime.timedelta(days=1)
    created = []
    cards = VipCard.select().where((VipCard.state == CardState.ACTIVE) & (VipCard.expires_on >= tomorrow) &
                                   VipCard.birthday_md.in_(birthday_keys(tomorrow)) &
                                   VipCard.not_voided())
    for card in cards:
        exists = Message.select().where((Message.card == card) & (Message.kind == BIRTHDAY) &
                                        (Message.for_date == tomorrow)).exists()
        if exists:
            continue
        text = settings["vip_birthday_text"].format(name=card.name, site=settings["site_name"])
        created.append(Message.create(kind=BIRTHDAY, card=card, phone=card.phone, text=text,
                                      for_date=tomorrow))
    return created


def holiday_tomorrow(today):
    """The name of the statutory holiday that begins tomorrow, or None."""
    tomorrow = today + datetime.timedelta(days=1)
    name = workdays.statutory_holidays(tomorrow.year).get(tomorrow)
    if name is None or workdays.statutory_holidays(today.year).get(today) == name:
        return None
    return name


def prepare_holiday_greetings(today, settings):
    """The day before a statutory holiday begins: one greeting per active member (never twice);
    none when the greeting text is left empty."""
    holiday, template = holiday_tomorrow(today), settings["vip_holiday_text"]
    if holiday is None or not template:
        return []
    tomorrow = today + datetime.timedelta(days=1)
    greeted = {card_id for (card_id,) in Message.select(Message.card).where(
        (Message.kind == HOLIDAY) & (Message.for_date == tomorrow)).tuples()}
    cards = VipCard.select().where((VipCard.state == CardState.ACTIVE) &
                                   (VipCard.expires_on >= tomorrow) & VipCard.not_voided())
    return [Message.create(kind=HOLIDAY, card=card, phone=card.phone, for_date=tomorrow,
                           text=template.format(name=card.name, site=settings["site_name"],
                                                holiday=holiday))
            for card in cards.order_by(VipCard.id) if card.id not in greeted]


def prepare_promotion(cards, text):
    """A promotion notice to chosen members (active cards only)."""
    if not text.strip():
        raise VipError(_l("请填写通知内容"))
    today = now().date()
    return [Message.create(kind=PROMOTION, card=c, phone=c.phone, text=text.strip())
            for c in cards if card_status(c, today).works]


def export_outbox(messages):
    """CSV (phone, text) for an SMS platform; the messages become 'exported', not 'sent'."""
    with db.atomic():
        for message in messages:
            message.state = EXPORTED
            message.save()
    return exports.csv_text(["手机号", "短信内容"], [(m.phone, m.text) for m in messages])


def send_outbox(messages, settings):
    """Queue each pending message through the SMS gateway (services.channels): "发送中" until
    the gateway accepts it ("已发送") or refuses it for good ("发送失败", with its reason)."""
    if "sms" not in channels.configured(settings):
        raise VipError(_l("未配置短信网关，请导出后在短信平台发送"))
    queued = []
    for message in messages:
        with db.atomic():
            claimed = Message.update(state=QUEUED).where(
                (Message.id == message.id) & (Message.state == PENDING)).execute()
            if not claimed:  # (sent from another tab meanwhile)
                continue
            delivery = Delivery.create(channel="sms", address=message.phone, body=message.text)
            Message.update(delivery=delivery.id).where(Message.id == message.id).execute()
        channels.deliver_task(delivery.id)
        queued.append(message.id)
    return list(Message.select().where(Message.id.in_(queued)).order_by(Message.id))


def recent_messages(limit=200):
    return list(Message.select().order_by(Message.id.desc()).limit(literal(limit)))


def pending_messages():
    return list(Message.select().where(Message.state == PENDING))


def messages_with_cards(state=None):
    """The outbox with each message's card, newest first; `state` narrows it."""
    query = Message.select(Message, VipCard).join(VipCard).order_by(Message.id.desc())
    return query.where(Message.state == state) if state else query


def promotion_audience(numbers=None):
    """Working cards a promotion goes to: all, or those with these card numbers."""
    cards = VipCard.live().where(VipCard.state == CardState.ACTIVE)
    if numbers is not None:
        cards = cards.where(VipCard.number.in_([n.upper() for n in numbers]))
    return list(cards)

"""The VIP card's scheduled duties (services.duties)."""
import datetime

from models import VipCard
from models.i18n import N_
from models.i18n import lazy_gettext as _l
from models.users import DESK, MANAGER
from models.vip import CardState
from services import channels, duties, signoffs
from services import settings as settings_service

from . import notices


@duties.register("birthday_greetings", _l("会员生日祝福放入发送箱（前一天）"), _l("每天 09:00"),
                 duties.daily(9))
def birthday_greetings(at):
    settings = settings_service.load()
    created = notices.prepare_birthday_greetings(at.date(), settings)
    return f"{len(created)} greetings" + _send(created, settings)


@duties.register("holiday_greetings", _l("会员节日祝福放入发送箱（节日前一天）"), _l("每天 09:00"),
                 duties.daily(9))
def holiday_greetings(at):
    settings = settings_service.load()
    created = notices.prepare_holiday_greetings(at.date(), settings)
    return f"{len(created)} greetings" + _send(created, settings)


def _send(messages, settings):
    """With an SMS gateway set up, greetings go out at once; else they wait in the outbox
    (exported for the SMS platform by hand)."""
    if not messages or "sms" not in channels.configured(settings):
        return ""
    return f", {len(notices.send_outbox(messages, settings))} queued to the gateway"


@duties.register("vip_monthly_report", _l("提醒经理报送会员月报（2 日前）"), _l("每月 1 日 08:00"),
                 duties.monthly(1, 8, until=1))
def monthly_report(at):
    told = signoffs.tell_managers(at, N_("%(month)s 会员月报请于 2 日前报送"), "vip.monthly")
    return f"{told} managers told"


@duties.register("vip_monthly_report_reminder", _l("上月会员月报未报送时提醒经理（2 日）"),
                 _l("每月 2 日 09:00"), duties.monthly(2, 9, until=2))
def monthly_report_reminder(at):
    return signoffs.remind_unsigned(signoffs.VIP_MONTHLY, at,
                                    N_("%(month)s 会员月报尚未报送，今天是截止日"), "vip.monthly")


@duties.digest_line(N_("本月到期的会员卡 %(n)s 张"), {DESK, MANAGER})
def cards_expiring(user, today, memo):
    if "expiring" not in memo:
        start = today.replace(day=1)
        end = (start + datetime.timedelta(days=32)).replace(day=1)
        memo["expiring"] = VipCard.select().where(
            VipCard.not_voided() & (VipCard.state == CardState.ACTIVE) &
            (VipCard.expires_on >= start) & (VipCard.expires_on < end)).count()
    return memo["expiring"]

"""Notifications: in the app (a badge in the header and a list per user) and, by each person's
choice per kind of notice, out through the channels the site has set up (services.channels).
A major complaint always reaches the general manager on every channel configured, and the
office's group robot."""
import json

from flask import current_app, has_app_context
from flask_babel import force_locale
from peewee import fn

from models import Notification, now
from models.base import Prepared
from models.i18n import lazy_gettext as _l
from models.i18n import stored_params, stored_text
from models.users import GM

from . import channels

# The kinds of notice a person chooses channels for.
MAJOR, REMINDER, WORK, DIGEST, REPORT = "major", "reminder", "work", "digest", "report"
KINDS = {MAJOR: _l("重大投诉"), REMINDER: _l("催办和逾期提醒"), WORK: _l("移交、审批等待办"),
         DIGEST: _l("每日待办汇总"), REPORT: _l("月度统计和报表")}
CHANNEL_NAMES = {"sms": _l("短信"), "email": _l("电子邮件"), "wecom": _l("企业微信群")}


def notify(users, message, endpoint="", ref_id=None, kind=WORK, **params):
    """Send the same notice to several users (each once). With `params`, `message` is a
    catalogue source marked N_("…%(serial)s…"): each reader sees it in their own language.
    Outside the app it goes where each reader asked for notices of its `kind`."""
    seen, notices = set(), []
    for user in users:
        if user is None or user.id in seen:
            continue
        seen.add(user.id)
        notices.append((user, Notification.create(
            user=user.id, message=message[:300], params=stored_params(params or None),
            endpoint=endpoint, ref_id=ref_id)))
    _outside(kind, notices, message, params, endpoint, ref_id)
    return [notification for _user, notification in notices]


def chosen(user, kind):
    """The personal channels `user` chose for notices of `kind`."""
    try:
        wanted = json.loads(user.notify_channels or "{}").get(kind, [])
    except (ValueError, AttributeError):
        return set()
    return {channel for channel in wanted if channel in channels.PERSONAL}


def address(user, channel):
    return user.phone if channel == "sms" else user.email


def every_channel(user, kind):
    """The GM gets every major complaint by every personal channel, whatever they chose."""
    return kind == MAJOR and user.role == GM


def _outside(kind, notices, message, params, endpoint, ref_id):
    from . import settings as settings_service
    settings = settings_service.load()
    ready = channels.configured(settings)
    if not ready:
        return
    body = outside_text(message, params, endpoint, ref_id, settings)
    for user, notification in notices:
        wanted = set(channels.PERSONAL) if every_channel(user, kind) else chosen(user, kind)
        for channel in sorted(wanted & ready):
            if address(user, channel):
                channels.queue(channel, address(user, channel), body, notification)
    if kind == MAJOR and "wecom" in ready:
        channels.queue("wecom", settings["wecom_webhook_url"], body)


def outside_text(message, params, endpoint, ref_id, settings):
    """The notice as it leaves the app: in the site's language (Chinese), with a link that
    opens the record under the site's address (setting site_url) when there is one."""
    with force_locale("zh"):
        text = stored_text(message, stored_params(params or None))
    site_url = settings["site_url"].rstrip("/")
    if site_url and endpoint and has_app_context():
        values = {"id": ref_id} if ref_id is not None else {}
        text += "\n" + site_url + current_app.url_map.bind("localhost").build(endpoint, values)
    return text


_unread = Prepared(lambda user_id: Notification.select(fn.COUNT(Notification.id)).where(
    (Notification.user == user_id) & Notification.read_at.is_null()))


def unread_count(user_id):
    """The badge in every page's header."""
    return _unread.scalar(user_id)


def mark_read(user_id):
    Notification.update(read_at=now()).where((Notification.user == user_id) &
                                             Notification.read_at.is_null()).execute()

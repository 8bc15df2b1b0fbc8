"""In-app notifications: a badge in the header and a list per user."""
from peewee import fn

from models import Notification, now
from models.base import Prepared
from models.i18n import stored_params


def notify(users, message, endpoint="", ref_id=None, urgent=False, **params):
    """Send the same notice to several users (each once). With `params`, `message` is a
    catalogue source marked N_("…%(serial)s…"): each reader sees it in their own language.
    `urgent` (a major complaint): also out through every channel the site configured."""
    seen = set()
    for user in users:
        if user is None or user.id in seen:
            continue
        seen.add(user.id)
        Notification.create(user=user.id, message=message[:300],
                            params=stored_params(params or None), endpoint=endpoint,
                            ref_id=ref_id)
    if urgent:
        from . import channels
        from . import settings as settings_service
        channels.urgent(message, params, settings_service.load())


_unread = Prepared(lambda user_id: Notification.select(fn.COUNT(Notification.id)).where(
    (Notification.user == user_id) & Notification.read_at.is_null()))


def unread_count(user_id):
    """The badge in every page's header."""
    return _unread.scalar(user_id)


def mark_read(user_id):
    Notification.update(read_at=now()).where((Notification.user == user_id) &
                                             Notification.read_at.is_null()).execute()

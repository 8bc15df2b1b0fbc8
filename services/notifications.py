"""In-app notifications: a badge in the header and a list per user."""
from models import Notification, now


def notify(users, message, endpoint="", ref_id=None):
    """Send the same notice to several users (each once)."""
    seen = set()
    for user in users:
        if user is None or user.id in seen:
            continue
        seen.add(user.id)
        Notification.create(user=user.id, message=message[:300], endpoint=endpoint, ref_id=ref_id)


def unread_count(user_id):
    return Notification.select().where((Notification.user == user_id) &
                                       Notification.read_at.is_null()).count()


def mark_read(user_id):
    Notification.update(read_at=now()).where((Notification.user == user_id) &
                                             Notification.read_at.is_null()).execute()

"""Staff accounts and their roles."""
import secrets

from flask_login import UserMixin
from peewee import SQL, BooleanField, CharField, IntegerField, TextField

from models.i18n import lazy_gettext as _l

from .base import BaseModel, DateTimeField, label_of

DESK = "desk"
SALES = "sales"
ENGINEER = "engineer"
MANAGER = "manager"
GM = "gm"
ADMIN = "admin"

ROLES = {
    DESK: _l("前台/客服"),
    SALES: _l("销售"),
    ENGINEER: _l("工程"),
    MANAGER: _l("经理"),
    GM: _l("总经理"),
    ADMIN: _l("管理员"),
}


def new_session_token():
    """A fresh token; changing it ends every session the user has open."""
    return secrets.token_urlsafe(24)


class User(UserMixin, BaseModel):
    """A member of staff who logs in; exactly one role."""

    record_name = _l("用户")

    secret_fields = ("password_hash", "session_token")
    masked_fields = {"phone": "phone"}

    username = CharField(max_length=40, unique=True)
    display_name = CharField(max_length=40)
    role = CharField(max_length=20, index=True)
    department = CharField(max_length=40, default="")
    phone = CharField(max_length=20, default="")
    email = CharField(max_length=120, default="", constraints=[SQL("DEFAULT ''")])
    # The channels this person wants each kind of notice on, beside the app itself (JSON:
    # {"reminder": ["sms", "email"], …}; see services.notifications.KINDS).
    notify_channels = TextField(default="{}", constraints=[SQL("DEFAULT '{}'")])
    password_hash = CharField(max_length=200)
    active = BooleanField(default=True)
    session_token = CharField(max_length=64, default=new_session_token)
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    last_login_at = DateTimeField(null=True)
    # Raised by every save: the staff's sum tells each process when its directory of names and
    # roles is out of date (services.staff). Sign-in bookkeeping is written by UPDATE and
    # leaves it alone.
    revision = IntegerField(default=0)

    def save(self, *args, **kwargs):
        self.revision = (self.revision or 0) + 1
        return super().save(*args, **kwargs)

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        # The session remembers the token, not just the id, so a reset or a disable ends it.
        return f"{self.id}:{self.session_token}"

    role_label = label_of("role", ROLES)

    def label(self):
        return f"{self.display_name}({self.username})"

    def __str__(self):
        return self.display_name

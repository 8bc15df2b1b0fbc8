"""Staff accounts: Argon2 password hashes, sign-in with lockout, creating and disabling users."""
import datetime
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from models import LoginFailure, User, db, now
from models.base import literal
from models.i18n import lazy_gettext as _l
from models.users import ROLES, new_session_token

from . import audit

# Argon2id as OWASP recommends, in the lightest of its five equally strong settings (7 MiB,
# 5 passes): argon2-cffi's default memory per check, times a few sign-ins, outgrew a worker.
_hasher = PasswordHasher(time_cost=5, memory_cost=7168, parallelism=1)

# Every hash and check runs on one thread of the process's own, one at a time: the allocator
# keeps a freed 7 MiB block in the heap of the thread that used it, so checks spread over the
# serving threads would leave one block behind in each of them.
_argon2 = {"pid": None, "thread": None}
_argon2_lock = threading.Lock()


def _on_argon2_thread(work):
    """work() run on this process's Argon2 thread; its result."""
    with _argon2_lock:
        if _argon2["pid"] != os.getpid():  # (a forked worker starts its own thread)
            _argon2["pid"] = os.getpid()
            _argon2["thread"] = ThreadPoolExecutor(max_workers=1, thread_name_prefix="argon2")
        executor = _argon2["thread"]
    return executor.submit(work).result()

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 10
# zxcvbn's score (0-4): 0 and 1 are passwords found in its lists of common passwords, names
# and words, keyboard walks and repeats ("1234567890", "qwertyuiop", "deskdesk12").
MIN_STRENGTH = 2
# Per address, whatever the usernames tried: guessing across many accounts is slowed too.
ADDRESS_FAILURES = 20
ADDRESS_MINUTES = 10


class WeakPassword(ValueError):
    """A password the policy refuses; the message says why."""


def password_problem(password, username=""):
    """Why this password may not be used (a message for the form), or None when it may."""
    password, username = password or "", (username or "").strip()
    if len(password) < MIN_PASSWORD:
        return _l("密码至少 %(n)s 位", n=MIN_PASSWORD)
    if username and username.lower() in password.lower():
        return _l("密码不能包含用户名")
    # zxcvbn's word lists are 14 MB: loaded by the process that first checks a new password
    # (the admin's or a password change), not by every worker at start.
    from zxcvbn import zxcvbn
    if zxcvbn(password[:100], user_inputs=[username] if username else [])["score"] < MIN_STRENGTH:
        return _l("这个密码太常见或太有规律，很容易被猜到，请换一个")
    return None


def check_password_policy(password, username):
    """Raise WeakPassword when the policy refuses this password."""
    problem = password_problem(password, username)
    if problem is not None:
        raise WeakPassword(str(problem))


class LoginRefused(Exception):
    """Sign-in refused; `locked_until` is set when the account is temporarily locked."""

    def __init__(self, locked_until=None):
        super().__init__("login refused")
        self.locked_until = locked_until


class TooManyAttempts(Exception):
    """Too many refused sign-ins from this address lately; `retry_at` says when to try again."""

    def __init__(self, retry_at):
        super().__init__("too many attempts")
        self.retry_at = retry_at


def _check_address(address, at):
    since = at - datetime.timedelta(minutes=ADDRESS_MINUTES)
    recent = (LoginFailure.select(LoginFailure.at)
              .where((LoginFailure.address == address) & (LoginFailure.at > since))
              .order_by(LoginFailure.at.desc()).limit(literal(ADDRESS_FAILURES)))
    moments = [row.at for row in recent]
    if len(moments) >= ADDRESS_FAILURES:
        raise TooManyAttempts(moments[-1] + datetime.timedelta(minutes=ADDRESS_MINUTES))


def _refused(address, at, locked_until=None):
    if address:
        LoginFailure.create(address=address[:64], at=at)
        if at.minute == 0:  # now and then, forget failures older than a day
            LoginFailure.delete().where(
                LoginFailure.at < at - datetime.timedelta(days=1)).execute()
    return LoginRefused(locked_until)


def hash_password(password):
    return _on_argon2_thread(lambda: _hasher.hash(password))


def verify_password(user, password):
    stored = user.password_hash  # (read here: `user` may be a request-bound proxy)
    try:
        return _on_argon2_thread(lambda: _hasher.verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


# A sign-in attempt first takes one of the account's MAX_FAILURES places in one UPDATE, so
# however many arrive at once, no more than that many passwords are ever checked before the
# lock; a success gives the places back.
def _take_place(user_id, at):
    """Count this attempt as a failure until it succeeds; False when the account is locked."""
    User.update(failed_logins=0, locked_until=None).where(
        (User.id == user_id) & (User.locked_until <= at)).execute()
    taken = User.update(failed_logins=User.failed_logins + 1).where(
        (User.id == user_id) & (User.failed_logins < MAX_FAILURES)
        & User.locked_until.is_null()).execute()
    return taken == 1


def _lock_if_spent(user_id, at):
    """After a wrong password: the account locks once its places are spent."""
    User.update(locked_until=at + datetime.timedelta(minutes=LOCK_MINUTES)).where(
        (User.id == user_id) & (User.failed_logins >= MAX_FAILURES)
        & User.locked_until.is_null()).execute()


def authenticate(username, password, at=None, address=None):
    """The user for these credentials, or LoginRefused; repeated failures lock the account, and
    many failures from one address (TooManyAttempts) make it wait before any password is tried."""
    at = at or now()
    if address:
        _check_address(address, at)
    user = User.get_or_none(User.username == (username or "").strip())
    if user is None or not user.active:
        # Same answer as a wrong password: do not tell which usernames exist.
        hash_password("timing")  # spend the time a real check would
        raise _refused(address, at)
    if not _take_place(user.id, at):
        locked = User.get_by_id(user.id).locked_until
        raise _refused(address, at, locked or at + datetime.timedelta(minutes=LOCK_MINUTES))
    if not verify_password(user, password):
        _lock_if_spent(user.id, at)
        raise _refused(address, at, User.get_by_id(user.id).locked_until)
    values = {"failed_logins": 0, "locked_until": None, "last_login_at": at}
    if _hasher.check_needs_rehash(user.password_hash):  # hashed with older settings
        values["password_hash"] = hash_password(password)
    User.update(**values).where(User.id == user.id).execute()
    return User.get_by_id(user.id)


def create_user(username, display_name, role, password, actor=None, department="", phone=""):
    """Create a user with a hashed password; role must be one of ROLES."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    check_password_policy(password, username)
    user = User(username=username.strip(), display_name=display_name.strip(), role=role,
                department=department, phone=phone, password_hash=hash_password(password))
    return audit.save(user, actor)


def set_password(user, password, actor=None):
    """Set a new password and end every open session of that user."""
    check_password_policy(password, user.username)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    user.failed_logins, user.locked_until = 0, None
    return audit.save(user, actor)


def end_sessions(user):
    """Sign the user out everywhere: every session cookie issued so far stops working."""
    User.update(session_token=new_session_token()).where(User.id == user.id).execute()


def set_active(user, active, actor=None):
    """Enable or disable a user; disabling ends their sessions at once."""
    with db.atomic():
        user.active = active
        if not active:
            user.session_token = new_session_token()
        return audit.save(user, actor)

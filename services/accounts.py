"""Staff accounts: Argon2 password hashes, sign-in with lockout, creating and disabling users."""
import ctypes
import ctypes.util
import datetime
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from models import LoginFailure, User, db, now
from models.users import ROLES, new_session_token

from . import audit

# Argon2id as OWASP recommends, in the lightest of its five equally strong settings (7 MiB,
# 5 passes; the others trade memory for passes: 19 MiB × 2 … 46 MiB × 1). argon2-cffi's default
# takes 64 MiB per check; a few staff signing in at once pushed a worker past 350 MB, and with
# 19 MiB a sign-in during the benchmark still lifted a worker to 148 of its 150 MB. Checks also
# run one at a time per process, so memory stays bounded however many sign in together (each
# takes ~15 ms).
_hasher = PasswordHasher(time_cost=5, memory_cost=7168, parallelism=1)
_one_at_a_time = threading.Lock()


def _give_large_blocks_back():
    """glibc raises its mmap threshold to the size of the first large block freed; after that
    each thread keeps Argon2's block (7 MiB) in its own heap for good, one per serving thread. A
    fixed threshold keeps blocks over 1 MiB mmapped, so they go back to the system when freed."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        libc.mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError, TypeError):  # not glibc: nothing to tune
        pass


_give_large_blocks_back()

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD = 8
# Per address, whatever the usernames tried: guessing across many accounts is slowed too.
ADDRESS_FAILURES = 20
ADDRESS_MINUTES = 10


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
              .order_by(LoginFailure.at.desc()).limit(ADDRESS_FAILURES))
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
    with _one_at_a_time:
        return _hasher.hash(password)


def verify_password(user, password):
    try:
        with _one_at_a_time:
            return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


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
    if user.locked_until and user.locked_until > at:
        raise _refused(address, at, user.locked_until)
    if not verify_password(user, password):
        failures = user.failed_logins + 1
        locked = at + datetime.timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
        User.update(failed_logins=0 if locked else failures, locked_until=locked).where(
            User.id == user.id).execute()
        raise _refused(address, at, locked)
    values = {"failed_logins": 0, "locked_until": None, "last_login_at": at}
    if _hasher.check_needs_rehash(user.password_hash):  # hashed with older settings
        values["password_hash"] = hash_password(password)
    User.update(**values).where(User.id == user.id).execute()
    return User.get_by_id(user.id)


def create_user(username, display_name, role, password, actor=None, department="", phone=""):
    """Create a user with a hashed password; role must be one of ROLES."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if len(password) < MIN_PASSWORD:
        raise ValueError("password too short")
    user = User(username=username.strip(), display_name=display_name.strip(), role=role,
                department=department, phone=phone, password_hash=hash_password(password))
    return audit.save(user, actor)


def set_password(user, password, actor=None):
    """Set a new password and end every open session of that user."""
    if len(password) < MIN_PASSWORD:
        raise ValueError("password too short")
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    user.failed_logins, user.locked_until = 0, None
    return audit.save(user, actor)


def set_active(user, active, actor=None):
    """Enable or disable a user; disabling ends their sessions at once."""
    with db.atomic():
        user.active = active
        if not active:
            user.session_token = new_session_token()
        return audit.save(user, actor)

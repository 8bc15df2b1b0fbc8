"""Signed-in sessions end after a shift of inactivity: the session remembers when it was last
used (to the minute, so the cookie is not rewritten on every request)."""
from models import clock

SEEN = "seen"
RESOLUTION = 60  # seconds between updates of the last-used time


def mark_active(session):
    """Note that the session is in use now (at sign-in, and as requests come)."""
    session[SEEN] = int(clock.utc_now().timestamp())


def idle_too_long(session, hours):
    """True when the session has not been used for `hours`; otherwise notes this use."""
    moment = int(clock.utc_now().timestamp())
    seen = session.get(SEEN)
    if not isinstance(seen, int) or moment - seen > hours * 3600:
        return True
    if moment - seen >= RESOLUTION:
        session[SEEN] = moment
    return False

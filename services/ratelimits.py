"""Rate-limit counts kept in the app's own database, as a storage for the `limits` library
(its documented custom-storage registry: a Storage subclass with a STORAGE_SCHEME). Every
worker and every app server shares them through the one database, with no thread and no
Redis; the limiting itself (the moving window) is the library's."""
from limits.storage import MovingWindowSupport, Storage
from peewee import DatabaseError, fn

from models import RateHit, clock, db

PURGE_EVERY = 500  # now and then a counted request also removes the hits that stopped counting


def _seconds():
    """Now, in seconds since the epoch, from the site's clock (tests set it)."""
    return clock.utc_now().timestamp()


class DatabaseStorage(Storage, MovingWindowSupport):
    """`frontdesk://`: hits in the RateHit table."""

    STORAGE_SCHEME = ["frontdesk"]

    def __init__(self, uri=None, wrap_exceptions=False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return DatabaseError

    @staticmethod
    def _live(key, since):
        return RateHit.select().where((RateHit.key == key) & (RateHit.at > since))

    @staticmethod
    def _add(key, moment, expiry, amount):
        RateHit.insert_many([{RateHit.key: key, RateHit.at: moment,
                              RateHit.expires: moment + expiry} for _ in range(amount)]).execute()
        if RateHit.select(fn.MAX(RateHit.id)).scalar() % PURGE_EVERY == 0:
            RateHit.delete().where(RateHit.expires < moment).execute()

    def incr(self, key, expiry, amount=1):
        moment = _seconds()
        with db.atomic():
            self._add(key, moment, expiry, amount)
            return self._live(key, moment - expiry).count()

    def get(self, key):
        return RateHit.select().where((RateHit.key == key) &
                                      (RateHit.expires > _seconds())).count()

    def get_expiry(self, key):
        latest = RateHit.select(fn.MAX(RateHit.expires)).where(RateHit.key == key).scalar()
        return latest or _seconds()

    def check(self):
        return True

    def reset(self):
        return RateHit.delete().execute()

    def clear(self, key):
        RateHit.delete().where(RateHit.key == key).execute()

    def acquire_entry(self, key, limit, expiry, amount=1):
        """Count `amount` more for `key` unless that makes more than `limit` in the last
        `expiry` seconds (in one transaction: two requests cannot both take the last place on
        SQLite; on PostgreSQL at worst one more slips through)."""
        if amount > limit:
            return False
        moment = _seconds()
        with db.atomic():
            if self._live(key, moment - expiry).count() + amount > limit:
                return False
            self._add(key, moment, expiry, amount)
        return True

    def get_moving_window(self, key, limit, expiry):
        moment = _seconds()
        first, count = self._live(key, moment - expiry).select(
            fn.MIN(RateHit.at), fn.COUNT(RateHit.id)).tuples().get()
        return (first or moment), count

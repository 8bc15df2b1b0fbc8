"""Per-address rate limits for the pages anyone may open (the visitor's own registration), by
Flask-Limiter with a moving window. The counts are kept in the app's database
(services/ratelimits.py), so every worker and server shares them; FRONTDESK_RATELIMIT_STORAGE
may name another storage the `limits` library knows (redis://…)."""
import os

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from services import ratelimits

limiter = Limiter(key_func=get_remote_address, strategy="moving-window",
                  headers_enabled=True)


def init_app(app):
    storage = os.environ.get("FRONTDESK_RATELIMIT_STORAGE") or ratelimits.DatabaseStorage.\
        STORAGE_SCHEME[0] + "://"
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage)
    limiter.init_app(app)

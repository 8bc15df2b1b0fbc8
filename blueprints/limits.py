"""Per-address rate limits for the pages anyone may open (the visitor's own registration), by
Flask-Limiter with a moving window: in memory for one server, in the Redis the task queue uses
when there are several (FRONTDESK_TASKS=redis://…), or where FRONTDESK_RATELIMIT_STORAGE says."""
import os

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, strategy="moving-window",
                  headers_enabled=True)


def init_app(app):
    storage = os.environ.get("FRONTDESK_RATELIMIT_STORAGE") or ""
    tasks = os.environ.get("FRONTDESK_TASKS") or ""
    if not storage and tasks.startswith(("redis://", "rediss://")):
        storage = tasks
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage or "memory://")
    limiter.init_app(app)

"""The customer timeline: every module adds its events here and registers how to link them."""
from models import TimelineEntry, now
from models.base import literal

# kind -> (label, endpoint that shows the record, given id=ref_id)
KINDS = {}
# kind -> the endpoint's other values (a register's slug)
URL_VALUES = {}


def register_kind(kind, label, endpoint=None, **values):
    """Declare a kind of timeline event, once, when a module's blueprint is set up; `values`
    are the endpoint's arguments besides the record's id."""
    KINDS[kind] = (label, endpoint)
    URL_VALUES[kind] = values


def add(customer, kind, summary, ref_id=None, user=None, at=None):
    """Add one event to a customer's timeline; a walk-in with no customer adds nothing."""
    if customer is None:
        return None
    if kind not in KINDS:
        raise ValueError(f"timeline kind {kind!r} is not registered")
    return TimelineEntry.create(customer=customer, kind=kind, summary=summary[:300],
                                ref_id=ref_id, user=user.id if user else None, at=at or now())


def entries(customer, kind=None, before_id=None, limit=50):
    """The newest events first, optionally of one kind, keyset-paginated by id."""
    query = TimelineEntry.select().where(TimelineEntry.customer == customer)
    if kind:
        query = query.where(TimelineEntry.kind == kind)
    if before_id:
        query = query.where(TimelineEntry.id < before_id)
    return list(query.order_by(TimelineEntry.at.desc(), TimelineEntry.id.desc())
                .limit(literal(limit)))

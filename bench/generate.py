"""Build a benchmark dataset: a chain that has run the desk for ten years.

    python bench/generate.py --size large   # 200k customers, 1M visits, … (a few minutes)
    python bench/generate.py --size small   # 10k customers, the same shape scaled down

Writes bench/data/<size>.db (SQLite, the app's own schema) and bench/data/<size>.json (counts and
the dataset's "today", so bench/run.py asks for the day that has visitors). Rows go in through
Peewee's insert_many in large transactions; the search keys (pinyin, phone tail) are computed by
the app's own functions, so pinyin search in the benchmark is the real thing.
"""
import argparse
import datetime
import functools
import json
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app import create_app  # noqa: E402
from blueprints import demo  # noqa: E402
from models import (  # noqa: E402
    AuditEntry,
    Complaint,
    ComplaintStep,
    Customer,
    PointsEntry,
    Purchase,
    RepairRequest,
    SerialCounter,
    VipCard,
    Visit,
    WorkOrder,
    db,
    schema,
)
from models.complaints import refresh_next_due
from models.keys import phone_tail, pinyin_keys  # noqa: E402
from models.vip import fill_birthday_md
from services import settings  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
LARGE = dict(customers=200_000, visits=1_000_000, complaints=100_000, work_orders=150_000,
             cards=50_000, ledger=1_000_000, audit=500_000)
SIZES = {"large": LARGE, "small": {k: v // 20 for k, v in LARGE.items()}}
YEARS = 10
BATCH = 5000
# Characters of given names, so that 200,000 names are mostly different and pinyin is varied.
GIVEN_CHARS = ("伟芳娜英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华红志海燕晓东子涵浩然欣怡宇轩梓萱俊"
               "雨桐思远佳嘉豪博文斌鹏辉玲婷雪慧琳建国庆春秋梅林森淑珍凤彬颖宁泽睿晨阳凯峰鑫")


@functools.lru_cache(maxsize=None)
def keys(name):
    return pinyin_keys(name)


class Maker:
    """Random values with a fixed seed: names, phones, moments over the ten years."""

    def __init__(self, seed, today):
        self.rng = random.Random(seed)
        self.today = today
        self.start = datetime.datetime.combine(today - datetime.timedelta(days=365 * YEARS),
                                               datetime.time())
        self.span = (datetime.datetime.combine(today, datetime.time(18)) - self.start
                     ).total_seconds()

    def name(self):
        rng = self.rng
        given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2, 2))))
        return rng.choice(demo.SURNAMES) + given

    def phone(self):
        return demo.mobile(self.rng)

    def moment(self, fraction=None):
        """A moment in office hours; `fraction` (0..1) of the ten years, random when None."""
        fraction = self.rng.random() if fraction is None else fraction
        at = self.start + datetime.timedelta(seconds=fraction * self.span)
        if not 8 <= at.hour < 20:
            at = at.replace(hour=self.rng.randrange(8, 20))
        return at.replace(microsecond=0)


def insert(model, fields, rows, label):
    """Insert tuples with one prepared INSERT and executemany, in one transaction; print the rate.

    (Peewee's insert_many builds the SQL text for every batch, which costs more than SQLite's
    work here; values are the same Python types Peewee would hand to the sqlite3 driver.)"""
    started = time.perf_counter()
    named = {field.name for field in fields}
    defaults = [(field, field.default() if callable(field.default) else field.default)
                for field in model._meta.sorted_fields
                if field.name not in named and field.name != "id" and field.default is not None]
    fields = list(fields) + [field for field, _value in defaults]
    extra = tuple(field.db_value(value) for field, value in defaults)
    rows = (row + extra for row in rows)
    columns = ", ".join(f'"{field.column_name}"' for field in fields)
    sql = (f'INSERT INTO "{model._meta.table_name}" ({columns}) '
           f'VALUES ({", ".join("?" * len(fields))})')
    count = 0
    with db.atomic():
        cursor = db.cursor()
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    took = time.perf_counter() - started
    print(f"  {label:<16} {count:>9,} rows  {took:6.1f} s", flush=True)
    return count


def customers(make, n, owners):
    f = Customer
    fields = [f.created_at, f.updated_at, f.kind, f.name, f.contact_person, f.phone, f.building,
              f.unit, f.room, f.address, f.plate, f.owner, f.status, f.tier, f.grade, f.source,
              f.name_pinyin, f.name_initials, f.phone_tail, f.contacted_at]
    rng = make.rng

    def rows():
        for index in range(n):
            at = make.moment(index / n)
            kind = rng.choices(["resident", "company", "dealer", "shopper"], [6, 2, 1, 3])[0]
            person = make.name()
            name = (rng.choice(demo.COMPANIES) + str(index)) if kind in ("company", "dealer") \
                else person
            full, initials = keys(name)
            phone = make.phone()
            resident = kind == "resident"
            yield (at, at, kind, name, "" if resident else person, phone,
                   f"{rng.randrange(1, 40)}栋" if resident else "",
                   f"{rng.randrange(1, 4)}单元" if resident else "",
                   f"{rng.randrange(2, 33)}{rng.randrange(1, 5):02d}" if resident else "",
                   "" if resident else f"深圳市南山区科技园{rng.randrange(1, 900)}号",
                   (rng.choice(demo.PLATE_PREFIX) + f"{rng.randrange(10 ** 5):05d}")
                   if rng.random() < 0.2 else "",
                   rng.choice(owners) if not resident else None,
                   rng.choices(["potential", "cooperating", "lapsed"], [3, 6, 1])[0],
                   "" if resident or kind == "shopper" else
                   rng.choice(["strategic", "key", "general", "general", "reserve"]),
                   rng.choice(["A", "B", "C", ""]), rng.choice(["来电", "来访", "转介绍", "网络"]),
                   full, initials, phone_tail(phone), at)
    insert(Customer, fields, rows(), "customers")


def serial(prefix, at, counters):
    period = at.strftime("%Y%m")
    number = counters[(prefix, period)] = counters.get((prefix, period), 0) + 1
    return f"{prefix}-{period}-{number:04d}"


def visits(make, n, customer_count, staff, counters, today_rows):
    f = Visit
    fields = [f.created_at, f.updated_at, f.serial, f.customer, f.name, f.id_type, f.id_number,
              f.phone, f.headcount, f.visitee, f.purpose, f.plate, f.arrived_at, f.left_at,
              f.host, f.reception_class, f.night_duty, f.registered_by, f.name_initials,
              f.phone_tail]
    rng = make.rng
    today = datetime.datetime.combine(make.today, datetime.time(8))
    pool = [make.name() for _ in range(min(n // 10, 60_000))]  # visitors come back

    def rows():
        history = n - today_rows
        for index in range(n):
            if index < history:
                arrived = make.moment(index / history * 0.9997)
            else:  # the dataset's today: a full day's register, some still inside
                arrived = today + datetime.timedelta(minutes=(index - history) * 600 // today_rows)
            left = arrived + datetime.timedelta(minutes=rng.randrange(10, 180))
            if index >= n - 15:
                left = None
            name = rng.choice(pool)
            # Couriers and walk-ins often leave no phone; a few come by car (陌生车辆登记).
            phone = make.phone() if rng.random() < 0.8 else ""
            plate = (rng.choice(demo.PLATE_PREFIX) + f"{rng.randrange(10 ** 5):05d}"
                     if rng.random() < 0.15 else "")
            yield (arrived, arrived, serial("FK", arrived, counters),
                   rng.randrange(1, customer_count + 1) if rng.random() < 0.3 else None,
                   name, "id_card", "", phone, rng.choice((1, 1, 1, 2, 3)),
                   f"{rng.randrange(1, 40)}栋{rng.randrange(2, 33)}0{rng.randrange(1, 5)}",
                   rng.choice(demo.PURPOSES), plate, arrived, left, rng.choice(staff),
                   rng.choices("ABC", [1, 3, 6])[0], arrived.hour >= 19, rng.choice(staff),
                   keys(name)[1], phone_tail(phone))
    insert(Visit, fields, rows(), "visits")


def complaints(make, n, customer_count, staff, counters):
    f = Complaint
    fields = [f.created_at, f.updated_at, f.serial, f.received_at, f.channel, f.complainant,
              f.phone, f.phone_tail, f.name_initials, f.customer, f.content, f.category,
              f.severity, f.received_by, f.owner, f.state, f.closure_due, f.report_due,
              f.onsite_due, f.onsite_at, f.investigated_at, f.closed_at, f.satisfaction,
              f.valid]
    rng = make.rng
    categories = settings.DEFAULTS["complaint_categories"]
    open_from = n - 300  # the last few hundred are still being handled; some are overdue
    states = ["recorded", "classified", "investigated", "approved", "replied", "followed_up"]

    def rows():
        for index in range(n):
            at = make.moment(index / n)
            name = make.name()
            phone = make.phone()
            state = rng.choice(states) if index >= open_from else \
                rng.choices(["closed", "invalid"], [19, 1])[0]
            closed = at + datetime.timedelta(days=rng.randrange(1, 9)) \
                if state in ("closed", "invalid") else None
            # Handled as the steps below say: on site within the day, investigated (the second
            # step) at 16 hours; a complaint found invalid never got that far.
            handled = state == "closed" or state in states[2:]
            onsite = at + datetime.timedelta(hours=rng.randrange(2, 20)) \
                if handled or state == "classified" else None
            investigated = at + datetime.timedelta(hours=16) if handled else None
            yield (at, at, serial("KS", at, counters), at,
                   rng.choice(["phone", "visit", "letter", "online"]), name, phone,
                   phone_tail(phone), keys(name)[1],
                   rng.randrange(1, customer_count + 1) if rng.random() < 0.6 else None,
                   rng.choice(["楼上漏水三天无人处理", "电梯经常停运", "收费明细不清楚", "夜间施工噪音",
                               "垃圾清运不及时", "车位被占用", "门禁卡失灵", "购买的商品有质量问题"]),
                   rng.choice(categories), rng.choices(["general", "major"], [19, 1])[0],
                   rng.choice(staff), rng.choice(staff), state,
                   at + datetime.timedelta(days=7), at + datetime.timedelta(days=2),
                   at + datetime.timedelta(days=1), onsite, investigated, closed,
                   rng.choice((3, 4, 5, 5)) if state == "closed" else None,
                   state != "invalid")
    insert(Complaint, fields, rows(), "complaints")

    steps = [("recorded", "classified", "classify"), ("classified", "investigated", "investigate"),
             ("investigated", "approved", "approve"), ("approved", "replied", "reply"),
             ("replied", "followed_up", "follow_up"), ("followed_up", "closed", "close")]
    f = ComplaintStep
    step_fields = [f.created_at, f.updated_at, f.complaint, f.at, f.user, f.action, f.from_state,
                   f.to_state, f.note]

    def step_rows():
        for complaint_id, received, state, closed in Complaint.select(
                Complaint.id, Complaint.received_at, Complaint.state,
                Complaint.closed_at).tuples().iterator():
            if state == "invalid":
                yield (closed, closed, complaint_id, closed, rng.choice(staff), "invalidate",
                       "recorded", "invalid", "重复投诉")
                continue
            taken = 6 if state == "closed" else states.index(state)
            for number in range(taken):
                at = received + datetime.timedelta(hours=8 * (number + 1))
                from_state, to_state, action = steps[number]
                yield (at, at, complaint_id, at, rng.choice(staff), action, from_state,
                       to_state, "")
    insert(ComplaintStep, step_fields, step_rows(), "complaint steps")


def repairs(make, n, customer_count, staff, engineers, counters):
    f = RepairRequest
    fields = [f.created_at, f.updated_at, f.received_at, f.customer, f.contact_name,
              f.contact_phone, f.location, f.location_key, f.area, f.content, f.channel,
              f.received_by]
    rng = make.rng
    moments = [make.moment(index / n) for index in range(n)]

    def rows():
        for at in moments:
            building = f"{rng.randrange(1, 40)}栋"
            room = f"{rng.randrange(2, 33)}0{rng.randrange(1, 5)}"
            yield (at, at, at, rng.randrange(1, customer_count + 1), make.name(), make.phone(),
                   building + room, building + room, rng.choice(["public", "in_unit"]),
                   rng.choice(["厨房水龙头漏水", "卫生间下水道堵塞", "客厅灯不亮", "门锁坏了", "空调不制冷"]),
                   rng.choice(["phone", "verbal", "written"]), rng.choice(staff))
    insert(RepairRequest, fields, rows(), "repair requests")
    f = WorkOrder
    order_fields = [f.created_at, f.updated_at, f.serial, f.request, f.state, f.engineer,
                    f.dispatched_at, f.acknowledged_at, f.deadline, f.started_at, f.completed_at,
                    f.accepted_at, f.signed_on_paper]
    open_from = n - 200

    def order_rows():
        for index, at in enumerate(moments):
            state = rng.choice(["dispatched", "acknowledged", "in_progress", "awaiting"]) \
                if index >= open_from else rng.choices(["completed", "cancelled"], [30, 1])[0]
            done = at + datetime.timedelta(hours=rng.randrange(2, 48))
            finished = state == "completed"
            yield (at, at, serial("WX", at, counters), index + 1, state, rng.choice(engineers),
                   at, at + datetime.timedelta(minutes=20), at + datetime.timedelta(days=1),
                   at + datetime.timedelta(hours=1) if state != "dispatched" else None,
                   done if finished else None, done if finished else None, finished)
    insert(WorkOrder, order_fields, order_rows(), "work orders")


def vip(make, cards, ledger, staff):
    """Cards for customers who are people, spread over the ten years (so the recent ones are
    still valid, as at a chain that keeps enrolling), a ledger of purchases and redemptions."""
    rng = make.rng
    people = list(Customer.select(Customer.id, Customer.name, Customer.phone, Customer.created_at)
                  .where(Customer.kind.in_(["resident", "shopper"])).order_by(Customer.id)
                  .tuples())
    people = people[::max(len(people) // cards, 1)][:cards]
    f = VipCard
    fields = [f.created_at, f.updated_at, f.number, f.customer, f.name, f.phone, f.phone_tail,
              f.name_initials, f.birthday, f.gender, f.issued_on, f.expires_on, f.state,
              f.handbook_given, f.enrolled_by]

    def rows():
        for index, (customer_id, name, phone, created) in enumerate(people, 1):
            issued = created.date()
            years = rng.choice((2, 3, 5))
            expires = issued.replace(year=issued.year + years) if not (
                issued.month == 2 and issued.day == 29) else issued.replace(
                    year=issued.year + years, day=28)
            yield (created, created, f"VIP{index:08d}", customer_id, name, phone,
                   phone_tail(phone), keys(name)[1],
                   datetime.date(rng.randrange(1950, 2005), rng.randrange(1, 13),
                                 rng.randrange(1, 29)),
                   rng.choice("FM"), issued, expires, "active", True, rng.choice(staff))
    insert(VipCard, fields, rows(), "VIP cards")
    card_count = len(people)
    card_dates = dict(VipCard.select(VipCard.id, VipCard.issued_on).tuples())
    purchases = ledger // 4
    f = Purchase
    purchase_fields = [f.created_at, f.updated_at, f.receipt_no, f.at, f.card, f.customer,
                       f.buyer_phone, f.amount_before, f.rate, f.rate_reason, f.amount_paid,
                       f.points, f.cashier]
    owners = dict(VipCard.select(VipCard.id, VipCard.customer).tuples())
    phones = dict(VipCard.select(VipCard.id, VipCard.phone).tuples())
    plan = []

    def purchase_rows():
        for index in range(purchases):
            card = rng.randrange(1, card_count + 1)
            issued = datetime.datetime.combine(card_dates[card], datetime.time(9))
            at = issued + datetime.timedelta(
                seconds=rng.random() * max((make.start + datetime.timedelta(
                    seconds=make.span) - issued).total_seconds(), 3600))
            before = rng.randrange(50, 3000)
            paid = round(before * 0.9, 2)
            points = int(paid // 100)
            plan.append((card, at, points))
            yield (at, at, f"R{index:09d}", at, card, owners[card], phones[card], before,
                   "0.90", "会员九折", paid, points, rng.choice(staff))
    insert(Purchase, purchase_fields, purchase_rows(), "purchases")
    f = PointsEntry
    ledger_fields = [f.created_at, f.updated_at, f.card, f.at, f.delta, f.kind, f.purchase,
                     f.note, f.user]

    def ledger_rows():
        for purchase_id, (card, at, points) in enumerate(plan, 1):
            yield (at, at, card, at, points, "earn", purchase_id, f"R{purchase_id - 1:09d}",
                   None)
        for _ in range(ledger - len(plan)):  # points carried over from the paper ledger
            card = rng.randrange(1, card_count + 1)
            at = datetime.datetime.combine(card_dates[card], datetime.time(9, 30))
            yield (at, at, card, at, rng.randrange(1, 20), "earn", None, "纸质台账转入", None)
    insert(PointsEntry, ledger_fields, ledger_rows(), "points ledger")


def audit(make, n, staff):
    rng = make.rng
    f = AuditEntry
    fields = [f.created_at, f.updated_at, f.at, f.user, f.action, f.model, f.record_id, f.label,
              f.before, f.after]

    def rows():
        for index in range(n):
            at = make.moment(index / n)
            model = rng.choice(["Customer", "Visit", "Complaint", "WorkOrder", "VipCard"])
            yield (at, at, at, rng.choice(staff), rng.choice(["create", "update"]), model,
                   rng.randrange(1, 100_000), f"{model} {index}", "{}", '{"state": "closed"}')
    insert(AuditEntry, fields, rows(), "audit")


def save_counters(counters, cards):
    """Serial counters continue after the generated numbers, so new records never collide."""
    rows = [(kind, period, last) for (kind, period), last in counters.items()]
    rows.append(("VIP", "", cards))
    with db.atomic():
        for batch in range(0, len(rows), BATCH):
            SerialCounter.insert_many(rows[batch:batch + BATCH], fields=[
                SerialCounter.kind, SerialCounter.period, SerialCounter.last]).execute()


def generate(size, path, seed=2026, today=None):
    counts = SIZES[size]
    today = today or datetime.date.today()
    if os.path.exists(path):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench"})
    started = time.perf_counter()
    print(f"generating {size} dataset into {path}", flush=True)
    with app.app_context(), db.connection_context():
        schema.upgrade()
        db.execute_sql("PRAGMA synchronous = OFF")
        db.execute_sql("PRAGMA cache_size = -200000")
        # Building an index once over sorted rows is much faster than keeping it up to date row
        # by row; the same CREATE INDEX statements come back at the end.
        indexes = db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                 "AND sql IS NOT NULL").fetchall()
        for name, _sql in indexes:
            db.execute_sql(f'DROP INDEX "{name}"')
        users = demo.create_users()
        staff = [u.id for name, u in users.items() if name != "admin"]
        owners = [users["sales"].id, users["sales2"].id]
        engineers = [users["engineer"].id]
        make = Maker(seed, today)
        counters = {}
        customers(make, counts["customers"], owners)
        visits(make, counts["visits"], counts["customers"], staff, counters,
               today_rows=300 if size == "large" else 60)
        complaints(make, counts["complaints"], counts["customers"], staff, counters)
        repairs(make, counts["work_orders"], counts["customers"], staff, engineers, counters)
        vip(make, counts["cards"], counts["ledger"], staff)
        audit(make, counts["audit"], staff)
        save_counters(counters, counts["cards"])
        index_started = time.perf_counter()
        for _name, sql in indexes:
            db.execute_sql(sql)
        print(f"  {'indexes':<16} {len(indexes):>9,}       "
              f"{time.perf_counter() - index_started:6.1f} s", flush=True)
        refresh_next_due()  # what the app keeps on every complaint and card save
        fill_birthday_md()
        db.execute_sql("ANALYZE")
    took = time.perf_counter() - started
    meta = {"size": size, "today": today.isoformat(), "seed": seed, "counts": counts,
            "seconds": round(took, 1), "bytes": os.path.getsize(path)}
    with open(os.path.splitext(path)[0] + ".json", "w") as handle:
        json.dump(meta, handle, indent=2)
    print(f"done in {took:.0f} s, {meta['bytes'] / 1e6:.0f} MB", flush=True)
    return meta


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--out", help="database file (default bench/data/<size>.db)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    os.makedirs(DATA, exist_ok=True)
    generate(args.size, args.out or os.path.join(DATA, f"{args.size}.db"), args.seed)


if __name__ == "__main__":
    main()

"""Sixteen clerks writing at once: every write succeeds, serials stay unique and gap-free."""
import threading
from decimal import Decimal

from blueprints.vip import service as vip
from models import Complaint, PointsEntry, Purchase, VipCard, Visit, WorkOrder, clock
from services import settings as settings_service
from tests.conftest import Browserish

THREADS = 16
EACH = 3


def test_sixteen_writers_at_once(app, users, database):
    customer_card = vip.enrol(VipCard(customer=users["desk"].id and _customer(), name="会员",
                                      phone="13900001111", handbook_given=True), users["desk"],
                              settings_service.load())
    now = clock.now().strftime("%Y-%m-%dT%H:%M")
    clients = []
    for _ in range(THREADS):
        browser = Browserish(app.test_client())
        assert browser.login("desk").status_code == 302
        clients.append((browser, browser.token("/")))
    failures = []

    def work(index, browser, token):
        forms = [
            ("/reception/visits/new", {"name": f"访客{index}", "purpose": "来访", "headcount": "1",
                                       "id_type": "id_card", "arrived_at": now,
                                       "host": str(users["desk"].id), "reception_class": "C"}),
            ("/complaints/new", {"received_at": now, "channel": "phone",
                                 "complainant": f"投诉人{index}", "category": "服务质量",
                                 "severity": "general", "region": "in_province",
                                 "content": "并发测试"}),
            ("/repairs/new", {"received_at": now, "contact_phone": "13800000000",
                              "location": f"{index}栋", "area": "unit", "content": "并发报修",
                              "channel": "phone"}),
            (f"/vip/counter?card={customer_card.id}", {"card": str(customer_card.id),
                                                       "receipt_no": f"R{index}",
                                                       "amount_before": "150",
                                                       "receipt_signed": "y"}),
        ]
        for round_ in range(EACH):
            for url, data in forms:
                if "receipt_no" in data:  # one receipt is recorded once per card
                    data = dict(data, receipt_no=f"R{index}-{round_}")
                response = browser.post(url, data=dict(data, csrf_token=token))
                if response.status_code != 302:
                    failures.append((url, response.status_code))

    threads = [threading.Thread(target=work, args=(i, b, t)) for i, (b, t) in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    total = THREADS * EACH
    month = clock.now().strftime("%Y%m")
    for model, prefix in ((Visit, "FK"), (Complaint, "KS"), (WorkOrder, "WX")):
        serials = sorted(r.serial for r in model.select())
        assert serials == [f"{prefix}-{month}-{n:04d}" for n in range(1, total + 1)], prefix
    assert Purchase.select().count() == total
    assert vip.balance(customer_card) == sum(
        e.delta for e in PointsEntry.select().where(PointsEntry.card == customer_card))
    assert vip.balance(customer_card) == total  # ¥127.50 or ¥135 paid each time: 1 point
    # Writers are serialised per card, so exactly the first 30 purchases are at 9折 and the
    # rest at 8.5折 once 30 points are earned — never a purchase that saw a stale balance.
    rates = [p.rate for p in Purchase.select()]
    assert rates.count(Decimal("0.90")) == 30 and rates.count(Decimal("0.85")) == total - 30


def _customer():
    from models import Customer
    return Customer.create(name="会员", phone="13900001111")

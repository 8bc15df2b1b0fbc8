"""Crash safety: kill the server with SIGKILL in the middle of writes, ten times, and check.

    python bench/crash.py            # 10 rounds (make crash)
    python bench/crash.py --rounds 3 --synchronous normal

Each round serves the app as deployed (bench/serve.py: gunicorn, 2 workers × 4 threads) on one
SQLite file, has four clients write as fast as they can, each in turn registering a visitor,
taking a complaint, recording a VIP purchase and opening a repair work order, and kills the
master and its workers with SIGKILL after a random moment. Then, on the file as the crash left
it: `PRAGMA integrity_check` must say ok, every write answered with success must be there, the
serial numbers of visitors, complaints and work orders must run without a gap or a duplicate,
and the card's points must be the sum of its purchases' points. Exits 1 on the first failure.
"""
import argparse
import datetime
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from run import Client, wait_for_port  # noqa: E402

WRITERS = 4


def prepare(path, synchronous):
    """An empty database with the demo users (one per role) and one VIP card; the card's id."""
    sys.path.insert(0, ROOT)
    from app import create_app
    from blueprints import demo
    from blueprints.vip import service as vip
    from models import Customer, VipCard, db, schema
    from services import settings as settings_service
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "crash",
                      "SQLITE_SYNCHRONOUS": synchronous})
    with app.app_context(), db.connection_context():
        schema.upgrade()
        users = demo.create_users()
        owner = Customer.create(name="会员", phone="13900001111")
        card = vip.enrol(VipCard(customer=owner, name="会员", phone="13900001111",
                                 handbook_given=True), users["desk"], settings_service.load())
        return card.id


def forms(card, mark):
    """(kind, url, form) for each write a clerk makes; `mark` identifies it on file."""
    at = datetime.datetime.now().strftime("%Y-%m-%dT%H:%M")
    return [
        ("visit", "/reception/visits/new", {
            "name": mark, "phone": "", "id_type": "id_card", "headcount": "1",
            "purpose": "崩溃测试", "host": "1", "reception_class": "C", "arrived_at": at}),
        ("complaint", "/complaints/new", {
            "complainant": mark, "received_at": at, "channel": "phone", "category": "服务质量",
            "severity": "general", "region": "in_province", "content": "崩溃测试"}),
        ("purchase", f"/vip/counter?card={card}", {
            "card": str(card), "receipt_no": mark, "amount_before": "250",
            "receipt_signed": "y"}),
        ("repair", "/repairs/new", {
            "location": mark, "received_at": at, "contact_phone": "13800000000",
            "area": "unit", "content": "崩溃测试", "channel": "phone"}),
    ]


def writer(port, tag, card, acknowledged, stop):
    """Write until the server dies; remember, by kind, the writes answered with success."""
    try:
        client = Client(port)
        client.login("desk")
    except (OSError, SystemExit, AttributeError):
        return
    n = 0
    while not stop.is_set():
        n += 1
        kind, url, form = forms(card, f"{tag}-{n}")[n % 4]
        form["csrf_token"] = client.csrf["desk"]
        try:
            status, _body, _t, _r = client.request("POST", url, form)
        except (OSError, Exception):
            return
        if status == 302:
            acknowledged.append((kind, form.get("name") or form.get("complainant")
                                 or form.get("receipt_no") or form.get("location")))


# kind -> (the column that holds the write's mark, its serial table and prefix, if any)
ON_FILE = {"visit": ("SELECT name FROM visit", "visit", "FK"),
           "complaint": ("SELECT complainant FROM complaint", "complaint", "KS"),
           "purchase": ("SELECT receipt_no FROM purchase", None, None),
           "repair": ("SELECT location FROM repair_request", "work_order", "WX")}


def check(path, acknowledged):
    """(problems, rows by kind): integrity, acknowledged writes present, serials gap-free,
    the points ledger equal to the purchases' points."""
    connection = sqlite3.connect(path)
    problems, rows = [], {}
    integrity = connection.execute("PRAGMA integrity_check").fetchall()
    if integrity != [("ok",)]:
        problems.append(f"integrity_check: {integrity[:5]}")
    for kind, (marks, table, prefix) in ON_FILE.items():
        on_file = {row[0] for row in connection.execute(marks)}
        rows[kind] = len(on_file)
        missing = [mark for k, mark in acknowledged if k == kind and mark not in on_file]
        if missing:
            problems.append(f"{len(missing)} acknowledged {kind} writes missing: {missing[:3]}")
        if table is None:
            continue
        serials = [row[0] for row in connection.execute(f"SELECT serial FROM {table}")]
        numbers = sorted(int(re.search(r"(\d+)$", s).group(1)) for s in serials)
        if numbers != list(range(1, len(numbers) + 1)):
            problems.append(f"{kind} serials are not 1..n without gaps or duplicates")
        counter = connection.execute("SELECT COALESCE(SUM(last), 0) FROM serial_counter "
                                     "WHERE kind = ?", (prefix,)).fetchone()[0]
        if counter != len(numbers):
            problems.append(f"{prefix} serial counter {counter} != {len(numbers)} rows")
    earned, ledger = connection.execute(
        "SELECT (SELECT COALESCE(SUM(points), 0) FROM purchase), "
        "(SELECT COALESCE(SUM(delta), 0) FROM points_entry)").fetchone()
    if earned != ledger:
        problems.append(f"points ledger {ledger} != purchases' points {earned}")
    connection.close()
    return problems, rows


def run_round(number, path, port, card, rng, synchronous):
    """(acknowledged writes, seconds the writers ran) for one round ended by SIGKILL."""
    server = subprocess.Popen([sys.executable, os.path.join(HERE, "serve.py"), "app", path,
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True,
                              env=dict(os.environ, SQLITE_SYNCHRONOUS=synchronous))
    try:
        wait_for_port(port, server)
        acknowledged, stop = [], threading.Event()
        threads = [threading.Thread(target=writer, args=(port, f"r{number}c{i}", card,
                                                          acknowledged, stop), daemon=True)
                   for i in range(WRITERS)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(1.5, 4.0))
    finally:
        os.killpg(server.pid, signal.SIGKILL)  # the master and every worker, mid-write
        server.wait()
    seconds = time.monotonic() - started
    stop.set()
    for thread in threads:
        thread.join(10)
    return acknowledged, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--port", type=int, default=5190)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--synchronous", choices=("full", "normal"), default="full")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    folder = tempfile.mkdtemp(prefix="frontdesk-crash-")
    path = os.path.join(folder, "crash.db")
    card = prepare(path, args.synchronous)
    total, seconds = 0, 0.0
    for number in range(1, args.rounds + 1):
        acknowledged, ran = run_round(number, path, args.port, card, rng, args.synchronous)
        total, seconds = total + len(acknowledged), seconds + ran
        problems, rows = check(path, acknowledged)
        on_file = ", ".join(f"{n} {kind}s" for kind, n in rows.items())
        print(f"round {number:2}: {len(acknowledged):4} writes answered before SIGKILL; "
              f"on file: {on_file}; integrity ok"
              if not problems else f"round {number}: FAILED: {'; '.join(problems)}",
              flush=True)
        if problems:
            sys.exit(1)
    print(f"{args.rounds} rounds (synchronous={args.synchronous}), {total} acknowledged writes "
          f"({total / seconds:.0f} a second with {WRITERS} writers), none lost; database intact.")


if __name__ == "__main__":
    main()

"""Crash safety: kill the server with SIGKILL in the middle of writes, ten times, and check.

    python bench/crash.py            # 10 rounds (make crash)
    python bench/crash.py --rounds 3

Each round serves the app as deployed (bench/serve.py: gunicorn, 2 workers × 4 threads) on one
SQLite file, has four clients register visitors as fast as they can, and kills the master and
its workers with SIGKILL after a random moment. Then, on the file as the crash left it:
`PRAGMA integrity_check` must say ok, every visitor whose registration was answered with success
must be there, and the visitor serial numbers must still run without a gap or a duplicate.
Exits 1 on the first failure.
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


def prepare(path):
    """An empty database with the demo users (one per role)."""
    sys.path.insert(0, ROOT)
    from app import create_app
    from models import db, schema
    from services import demo
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "crash"})
    with app.app_context(), db.connection_context():
        schema.upgrade()
        demo.create_users()


def writer(port, tag, acknowledged, stop):
    """Register visitors until the server dies; remember the ones answered with success."""
    try:
        client = Client(port)
        client.login("desk")
    except (OSError, SystemExit, AttributeError):
        return
    n = 0
    while not stop.is_set():
        n += 1
        name = f"{tag}-{n}"
        form = {"name": name, "phone": "", "id_type": "id_card", "headcount": "1",
                "purpose": "崩溃测试", "host": "1", "reception_class": "C",
                "arrived_at": datetime.datetime.now().strftime("%Y-%m-%dT%H:%M"),
                "csrf_token": client.csrf["desk"]}
        try:
            status, _body, _t, _r = client.request("POST", "/reception/visits/new", form)
        except (OSError, Exception):
            return
        if status == 302:
            acknowledged.append(name)


def check(path, acknowledged):
    """(problems, rows, counter): integrity, acknowledged writes present, serials gap-free."""
    connection = sqlite3.connect(path)
    problems = []
    integrity = connection.execute("PRAGMA integrity_check").fetchall()
    if integrity != [("ok",)]:
        problems.append(f"integrity_check: {integrity[:5]}")
    names = {row[0] for row in connection.execute("SELECT name FROM visit")}
    missing = [name for name in acknowledged if name not in names]
    if missing:
        problems.append(f"{len(missing)} acknowledged writes missing, e.g. {missing[:3]}")
    serials = [row[0] for row in connection.execute("SELECT serial FROM visit")]
    numbers = sorted(int(re.search(r"(\d+)$", s).group(1)) for s in serials)
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append("visitor serials are not 1..n without gaps or duplicates")
    counter = connection.execute("SELECT COALESCE(SUM(last), 0) FROM serial_counter "
                                 "WHERE kind = 'FK'").fetchone()[0]
    if counter != len(numbers):
        problems.append(f"serial counter {counter} != {len(numbers)} visitors")
    connection.close()
    return problems, len(names), counter


def run_round(number, path, port, rng):
    server = subprocess.Popen([sys.executable, os.path.join(HERE, "serve.py"), "app", path,
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        wait_for_port(port, server)
        acknowledged, stop = [], threading.Event()
        threads = [threading.Thread(target=writer, args=(port, f"r{number}c{i}", acknowledged,
                                                          stop), daemon=True)
                   for i in range(WRITERS)]
        for thread in threads:
            thread.start()
        time.sleep(rng.uniform(1.5, 4.0))
    finally:
        os.killpg(server.pid, signal.SIGKILL)  # the master and every worker, mid-write
        server.wait()
    stop.set()
    for thread in threads:
        thread.join(10)
    return acknowledged


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--port", type=int, default=5190)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    folder = tempfile.mkdtemp(prefix="frontdesk-crash-")
    path = os.path.join(folder, "crash.db")
    prepare(path)
    total = 0
    for number in range(1, args.rounds + 1):
        acknowledged = run_round(number, path, args.port, rng)
        total += len(acknowledged)
        problems, rows, counter = check(path, acknowledged)
        print(f"round {number:2}: {len(acknowledged):4} writes answered before SIGKILL; "
              f"{rows} visitors on file, serial counter {counter}; integrity ok"
              if not problems else f"round {number}: FAILED: {'; '.join(problems)}",
              flush=True)
        if problems:
            sys.exit(1)
    print(f"{args.rounds} rounds, {total} acknowledged writes, none lost; database intact.")


if __name__ == "__main__":
    main()

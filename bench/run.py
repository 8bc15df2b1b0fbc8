"""Drive the app as deployed and report latency, throughput, PDF timings, page weight and memory.

    python bench/run.py                 # the small and the large dataset (generate them first)
    python bench/run.py --sizes small --seconds 10

For each dataset it serves the app with bench/serve.py (gunicorn, 2 workers x 4 threads,
127.0.0.1, as deployed) and, beside it, the floor (bench/floor.py: the base layout, no database,
served the same way); times the PDFs one at a time; logs in as desk, manager, engineer and GM and
runs 8 concurrent keep-alive clients over a fixed mix of reads and writes, in turns with the same
8 clients on the floor; then 8 writers alone. Every p95 is also given as a ratio to the p95 of
the floor measured in those turns.
Results go to bench/results.json and a table to bench/RESULTS.md.
"""
import argparse
import datetime
import http.client
import io
import json
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
CLIENTS = 8
SLICES = 6  # turns of mixed load and floor (see in_turns)
PASSWORD = "counter-demo-26"
ROLES = ("desk", "manager", "engineer", "gm")
TARGET_RATIO, TARGET_GROWTH, TARGET_WRITES = 3.0, 1.5, 300
TARGET_FORM_S, TARGET_FORM_KB, TARGET_SHEET_S = 0.5, 200, 1.5  # (the sheet: issue 21)
TARGET_FIRST_LOAD_KB, TARGET_RSS_MB = 100, 150
POSTGRES = " on PostgreSQL"  # the name of a dataset's PostgreSQL run: "large on PostgreSQL"
PDF_TASKS = 25  # services.printing.PDF_TASKS_PER_CHILD


class Client:
    """One keep-alive HTTP/1.1 connection with a cookie jar per role (a tablet, a cashier…)."""

    def __init__(self, port):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies = {}
        self.csrf = {}
        self.role = None

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        jar = self.cookies.setdefault(self.role, {})
        if jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in jar.items())
        if body is not None:
            body = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            raise
        elapsed = time.perf_counter() - started
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                jar[name] = rest.split(";", 1)[0]
        return response.status, data, elapsed, response

    def login(self, role):
        self.role = role
        _status, page, _t, _r = self.request("GET", "/auth/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
            re.search(rb'value="([^"]+)" name="csrf_token"', page) or \
            re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        status, body, _t, _r = self.request("POST", "/auth/login", {
            "username": role, "password": PASSWORD, "csrf_token": token.group(1).decode()})
        if status != 302:
            said = re.findall(rb'<ul class="errors"[^>]*>(.*?)</ul>', body, re.S)
            raise SystemExit(f"login as {role} failed: {status} "
                             f"{b' '.join(said).decode(errors='replace')}")
        _status, home, _t, _r = self.request("GET", "/")
        self.csrf[role] = re.search(rb'"X-CSRFToken": "([^"]+)"', home).group(1).decode()

    def use(self, role):
        self.role = role

    def reconnect(self):
        """A new connection (the cookies are kept): the server places it on a worker anew."""
        self.connection.close()
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        self.request("GET", "/")

    def perform(self, step):
        """One step of a mix: (status or error text, seconds, ok). POSTs carry the CSRF token
        and succeed with a redirect; GETs with 200; a dropped connection is a failure."""
        _name, role, method, path, form, headers = step
        self.use(role)
        if form is not None:
            form = dict(form, csrf_token=self.csrf[role])
        jar = dict(self.cookies.get(role, {}))
        try:
            status, _body, elapsed, _r = self.request(method, path, form, headers)
        except (http.client.HTTPException, OSError) as error:
            return repr(error)[:100], 0, False
        if method == "POST":
            # A write answers with a redirect and a flash message in the session cookie, which
            # the browser's next page shows and clears. Not following the redirect, the client
            # drops that cookie instead; keeping it would pile up every flash in the session,
            # and each later request would carry and re-sign a growing cookie.
            self.cookies[role] = jar
        return status, elapsed, status == (302 if method == "POST" else 200)


def working_copy(source, working):
    """A fresh copy of a dataset to run against (without the last run's WAL); its path."""
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(working + suffix):
            os.remove(working + suffix)
    shutil.copyfile(source, working)
    return working


def shared_counter():
    """0, 1, 2 … across threads: each write gets its own receipt number and phone."""
    counter, lock = iter(range(10 ** 9)), threading.Lock()
    while True:
        with lock:
            value = next(counter)
        yield value


class Dataset:
    """What the mix needs to know about the data: ids, initials, names, phones, the day."""

    def __init__(self, path, meta):
        import sqlite3
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        one = connection.execute
        self.today = meta["today"]
        self.max_complaint = one("SELECT MAX(id) FROM complaint").fetchone()[0]
        self.open_complaints = [r[0] for r in one(
            "SELECT id FROM complaint WHERE state NOT IN ('closed', 'invalid')").fetchall()]
        self.initials = [r[0] for r in one(
            "SELECT name_initials FROM customer WHERE kind = 'resident' "
            "ORDER BY id LIMIT 2000").fetchall() if r[0]]
        self.names = [r[0] for r in one(
            "SELECT name FROM customer WHERE kind = 'resident' "
            "ORDER BY id DESC LIMIT 2000").fetchall()]
        self.tails = [r[0] for r in one("SELECT phone_tail FROM customer ORDER BY id DESC "
                                        "LIMIT 2000").fetchall() if r[0]]
        self.phones = [r[0] for r in one("SELECT phone FROM visit WHERE phone != '' "
                                         "ORDER BY id DESC LIMIT 2000").fetchall()]
        self.cards = [r for r in one("SELECT id, number, phone_tail FROM vip_card "
                                     "ORDER BY id LIMIT 2000").fetchall()]
        self.last_month = (datetime.date.fromisoformat(self.today).replace(day=1)
                           - datetime.timedelta(days=1)).strftime("%Y-%m")
        self.work_order = one("SELECT MAX(id) FROM work_order").fetchone()[0]
        self.customer = one("SELECT MIN(id) FROM customer WHERE kind = 'resident'").fetchone()[0]
        connection.close()


def mix(data, rng, counter):
    """(name, role, method, path, form) for the next request; weights by repetition."""
    def search_initials():
        return "GET", f"/search?q={rng.choice(data.initials)[:3]}", None, {"HX-Request": "true"}

    def search_phone():
        return "GET", f"/search?q={rng.choice(data.tails)}", None, {"HX-Request": "true"}

    def search_name():
        # As typed at the desk: the surname, the surname and a character, or the whole name.
        name = rng.choice(data.names)
        return "GET", "/search?" + urllib.parse.urlencode({"q": name[:rng.choice((1, 2, 3))]}), \
            None, {"HX-Request": "true"}

    def search_phone_number():
        return "GET", f"/search?q={rng.choice(data.phones)}", None, {"HX-Request": "true"}

    def complaints_filtered():
        category = rng.choice(["服务质量", "维修质量", "产品质量"])
        return "GET", "/complaints/?" + urllib.parse.urlencode(
            {"view": "all", "state": "closed", "category": category}), None, None

    def complaints_deep():
        before = rng.randrange(1000, max(data.max_complaint // 20, 1001))
        return "GET", f"/complaints/?view=all&before={before}", None, None

    def complaint_detail():
        return "GET", f"/complaints/{rng.randrange(1, data.max_complaint + 1)}", None, None

    def visitors_today():
        return "GET", f"/reception/?day={data.today}", None, None

    def vip_lookup():
        card = rng.choice(data.cards)
        return "GET", f"/vip/?q={card[2] if rng.random() < 0.5 else card[1]}", None, None

    def write_visitor():
        n = next(counter)
        return "POST", "/reception/visits/new", {
            "name": f"压测访客{n}", "phone": f"139{n % 10 ** 8:08d}", "id_type": "id_card",
            "headcount": "1", "purpose": "送快递", "host": "1", "reception_class": "C",
            "arrived_at": datetime.datetime.now().strftime("%Y-%m-%dT%H:%M")}, None

    def write_purchase():
        n = next(counter)
        return "POST", "/vip/counter", {"receipt_no": f"B{n}", "amount_before": "88.00",
                                        "phone": f"137{n % 10 ** 8:08d}"}, None

    def write_progress():
        complaint = rng.choice(data.open_complaints)
        return "POST", f"/complaints/{complaint}/progress", {"method": "phone",
                                                             "note": "已电话告知处理进度"}, None

    def dashboard():
        return "GET", "/", None, None

    plan = [("search pinyin initials", "manager", search_initials, 3),
            ("search phone tail", "desk", search_phone, 3),
            ("search Chinese name", "desk", search_name, 2),
            ("search phone number", "desk", search_phone_number, 1),
            ("complaints filtered", "manager", complaints_filtered, 2),
            ("complaints deep page", "manager", complaints_deep, 2),
            ("complaint detail", "manager", complaint_detail, 2),
            ("visitors today", "desk", visitors_today, 2),
            ("VIP lookup", "desk", vip_lookup, 2),
            ("home desk", "desk", dashboard, 1), ("home manager", "manager", dashboard, 1),
            ("home engineer", "engineer", dashboard, 1), ("home GM", "gm", dashboard, 1),
            ("write visitor", "desk", write_visitor, 1),
            ("write purchase", "desk", write_purchase, 1),
            ("write complaint progress", "manager", write_progress, 1)]
    weighted = [entry for entry in plan for _ in range(entry[3])]
    while True:
        name, role, make, _weight = rng.choice(weighted)
        yield (name, role) + make()


class Server:
    """bench/serve.py in a subprocess, with its resident memory sampled while it runs."""

    def __init__(self, kind, database, port):
        self.port = port
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "serve.py"), kind, database, str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for_port(port, self.process)
        self.rss, self.pdf_rss, self.consumer_rss = [], [], []
        self.phase, self.peaks = "start", {}  # the largest worker size seen in each phase
        self.sampling = True
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.sampler.start()

    def _sample(self):
        """Every 0.25 s: the largest resident size of a worker (gunicorn's master and workers),
        and of the PDF renderers the workers start (reported apart)."""
        while self.sampling:
            spawned = children(self.process.pid)
            consumers = [p for p in spawned if is_consumer(p)]  # (serve.py's `flask tasks`)
            workers = [self.process.pid] + [p for p in spawned if p not in consumers]
            renderers = [p for w in workers[1:] + consumers for p in children_all(w)]
            for pids, samples in ((workers, self.rss), (renderers, self.pdf_rss),
                                  (consumers, self.consumer_rss)):
                sizes = [rss_mb(pid) for pid in pids]
                sizes = [size for size in sizes if size is not None]
                if sizes:
                    samples.append(max(sizes))
                    if samples is self.rss:
                        self.peaks[self.phase] = max(self.peaks.get(self.phase, 0), max(sizes))
            time.sleep(0.25)

    def stop(self):
        self.sampling = False
        self.process.terminate()
        self.process.wait(timeout=10)
        return {"rss_start_mb": round(self.rss[0], 1) if self.rss else None,
                "rss_max_mb": round(max(self.rss), 1) if self.rss else None,
                "pdf_process_rss_max_mb": round(max(self.pdf_rss), 1) if self.pdf_rss else None,
                "consumer_rss_max_mb": (round(max(self.consumer_rss), 1) if self.consumer_rss
                                        else None),
                "rss_max_mb_by_phase": {k: round(v, 1) for k, v in self.peaks.items()}}


def wait_for_port(port, process, seconds=60):
    """Until the server accepts connections (or says why it died)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None:
                raise SystemExit(process.stderr.read().decode()[-2000:])
            time.sleep(0.2)
    raise SystemExit(f"nothing answers on port {port}")


def children(pid):
    """Child processes of `pid`, started from any of its threads."""
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(p) for p in handle.read().split()]
        except OSError:
            continue
    return found


def is_consumer(pid):
    """Is `pid` the task consumer (`flask … tasks`) rather than a web worker?"""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return b"\0tasks\0" in handle.read() + b"\0"
    except OSError:
        return False


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children_all(pid):
    found = []
    for child in children(pid):
        found += [child] + children_all(child)
    return found


def drive(server, seconds, plan_for, roles):
    """CLIENTS threads, each one keep-alive connection (spread evenly over the workers), until
    the time is up: (per endpoint p50/p95/p99, throughput and errors; the spread)."""
    clients, split = signed_in_clients(server, roles)
    return summarise(*drive_raw(clients, seconds, plan_for)), split


def signed_in_clients(server, roles):
    """(CLIENTS clients of `server` signed in as each of `roles` (none for the floor), how their
    connections were spread evenly over its workers (see spread))."""
    clients = [Client(server.port) for _ in range(CLIENTS)]
    for client in clients:
        for role in roles:
            client.login(role)
        if not roles:
            client.request("GET", "/")
    return clients, spread(server, clients)


def spread(server, clients, tries=200):
    """Reconnect clients until each worker holds as many of their connections as the others.

    A gunicorn worker keeps every keep-alive connection it accepts, and which worker accepts is
    a race: eight clients connecting at once often all land on one worker (four starts here gave
    8+0, 5+3, 8+0, 3+5), which then serves the whole load on one core while the other idles,
    and a run measures that placement more than the app. The app and the floor are both
    measured evenly spread. Returns the connections per worker, and the reconnections it took."""
    turns = 0
    counts = connections_per_worker(server)
    while max(counts) - min(counts) > 1 and turns < tries:
        clients[turns % len(clients)].reconnect()
        turns += 1
        counts = connections_per_worker(server)
    return {"connections_per_worker": counts, "reconnections": turns}


def connections_per_worker(server):
    """The established connections to the server's port held by each worker, most first."""
    sockets = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as handle:
                rows = handle.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == server.port:
                sockets.add(fields[9])  # established, on the server's side: its inode
    counts = []
    for pid in children(server.process.pid):
        if is_consumer(pid):  # (it holds no connection; counted, no spread ever looked even)
            continue
        held = 0
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                held += target.startswith("socket:[") and target[8:-1] in sockets
        except OSError:
            continue
        counts.append(held)
    return sorted(counts, reverse=True) or [0]


def drive_raw(clients, seconds, plan_for):
    """(times per endpoint, errors per endpoint, seconds taken) of one drive of `clients`
    (signed_in_clients), one thread each; they stay signed in from one drive to the next, as
    staff do."""
    results, errors = {}, {}
    lock = threading.Lock()
    stop_at = [None]
    ready = threading.Barrier(CLIENTS + 1)

    def worker(index):
        client, plan = clients[index], plan_for(index)
        ready.wait()
        local, local_errors = {}, {}
        while time.perf_counter() < stop_at[0]:
            step = next(plan)
            name, path = step[0], step[3]
            status, elapsed, ok = client.perform(step)
            if not ok:
                local_errors.setdefault(name, []).append(
                    status if isinstance(status, str) else f"{status} {path}")
                if isinstance(status, str):
                    continue
            local.setdefault(name, []).append(elapsed)
        with lock:
            for name, times in local.items():
                results.setdefault(name, []).extend(times)
            for name, problems in local_errors.items():
                errors.setdefault(name, []).extend(problems)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    stop_at[0] = started + seconds
    for thread in threads:
        thread.join()
    took = time.perf_counter() - started
    return results, errors, took


def in_turns(server, floor_server, seconds, plan_for, roles):
    """The mixed load and the floor driven in turns, SLICES times each, so the two are
    measured under the same conditions: on a shared virtual machine the speed of the cores
    drifts by a factor of two within minutes, and a floor measured before the load would be
    compared with figures taken on a different machine. (mixed table, floor table, how the
    clients' connections were spread over each server's workers)."""
    app_runs, floor_runs = ({}, {}, 0.0), ({}, {}, 0.0)
    # Signed in once, as staff are for a shift.
    (app_clients, app_split), (floor_clients, floor_split) = (
        signed_in_clients(server, roles), signed_in_clients(floor_server, ()))
    for turn in range(SLICES):
        floor_runs = _merged(floor_runs, drive_raw(floor_clients, seconds / SLICES, _floor_plan))
        app_runs = _merged(app_runs, drive_raw(
            app_clients, seconds / SLICES, lambda i: plan_for(i + CLIENTS * turn)))
    return (summarise(*app_runs), summarise(*floor_runs)["floor"],
            {"mixed load": app_split, "floor": floor_split})


def _floor_plan(index):
    while True:
        yield "floor", None, "GET", "/", None, None


def _merged(first, second):
    results, errors = {k: list(v) for k, v in first[0].items()}, {
        k: list(v) for k, v in first[1].items()}
    for name, times in second[0].items():
        results.setdefault(name, []).extend(times)
    for name, problems in second[1].items():
        errors.setdefault(name, []).extend(problems)
    return results, errors, first[2] + second[2]


def summarise(results, errors, took):
    table = {}
    for name, times in sorted(results.items()):
        ordered = sorted(times)

        def pick(q):
            return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)
        table[name] = {"count": len(times), "per_second": round(len(times) / took, 1),
                       "p50_ms": pick(0.50), "p95_ms": pick(0.95), "p99_ms": pick(0.99),
                       "errors": len(errors.get(name, [])),
                       "error_samples": errors.get(name, [])[:3]}
    return table


def pdf_timings(port, data):
    """Each printable five times, one at a time (the first also starts the PDF processes):
    seconds (median), bytes, pages."""
    from pypdf import PdfReader
    client = Client(port)
    client.login("manager")
    prints = {"complaint reminder 催办单 (1 page)": f"/complaints/{data.open_complaints[0]}/reminder",
              "complaint handling form (5 copies)": f"/complaints/{data.max_complaint}/print",
              "work order (1 page)": f"/repairs/{data.work_order}/print",
              "customer card (1 page)": f"/archives/{data.customer}/print",
              "VIP application form (1 page)": "/vip/form",
              "daily visitor sheet": f"/reception/visits/print?day={data.today}",
              "monthly complaint statistics": f"/complaints/stats/print?month={data.last_month}"}
    table = {}
    for name, path in prints.items():
        times, body = [], b""
        for _ in range(5):
            status, body, elapsed, _r = client.request("GET", path)
            if status != 200 or not body.startswith(b"%PDF"):
                raise SystemExit(f"{path}: {status} {body[:200]!r}")
            times.append(elapsed)
        reader = PdfReader(io.BytesIO(body))
        table[name] = {"seconds": round(statistics.median(times), 3),
                       "kb": round(len(body) / 1024, 1), "pages": len(reader.pages)}
    return table


def first_load(port):
    """Bytes of the home page and everything it loads (as a browser would fetch it)."""
    client = Client(port)
    client.login("desk")
    _s, page, _t, response = client.request("GET", "/", headers={"Accept-Encoding": "gzip"})
    total = len(page)
    assets = re.findall(rb'(?:src|href)="(/static/[^"]+)"', page)
    fonts = [a for a in assets if a.endswith((b".ttf", b".woff", b".woff2", b".otf"))]
    scripts = re.findall(rb'<script[^>]+src="([^"]+)"', page)
    for asset in assets:
        _s, body, _t, _r = client.request("GET", asset.decode(),
                                          headers={"Accept-Encoding": "gzip"})
        total += len(body)
    return {"kb": round(total / 1024, 1), "assets": [a.decode() for a in assets],
            "scripts": [s.decode() for s in scripts], "web_fonts": len(fonts),
            "compressed": response.getheader("Content-Encoding") == "gzip"}


def run_dataset(size, seconds, port, floor_port, postgres=None):
    """One dataset on SQLite, or, with `postgres` (a server URL), loaded into PostgreSQL."""
    path = os.path.join(DATA, f"{size}.db")
    meta_path = os.path.join(DATA, f"{size}.json")
    if not os.path.exists(path):
        raise SystemExit(f"{path} is missing: run python bench/generate.py --size {size}")
    with open(meta_path) as handle:
        meta = json.load(handle)
    # The run writes (visitors, purchases…): it works on a copy, so every run starts alike.
    path = working_copy(path, os.path.join(DATA, f"{size}-run.db"))
    data = Dataset(path, meta)
    numbers = shared_counter()
    if postgres:
        print(f"[{size}] loading into PostgreSQL", flush=True)
        started = time.monotonic()
        loaded = subprocess.run([sys.executable, os.path.join(HERE, "topg.py"), "--size", size,
                                 postgres], check=True, capture_output=True, text=True)
        database = loaded.stdout.strip().splitlines()[-1].split()[0]  # "postgresql://… (12 s)"
        meta = {**meta, "database": "PostgreSQL",
                "load_seconds": round(time.monotonic() - started)}
    else:
        database = path
        meta = {**meta, "database": "SQLite"}
    server = Server("app", database, port)
    floor_server = Server("floor", "-", floor_port)
    try:
        # PDFs first: the load below registers visitors, and the day's sheet would grow with them.
        print(f"[{size}] PDFs", flush=True)
        server.phase = "PDFs"
        pdfs = pdf_timings(port, data)
        server.phase = "mixed load"
        print(f"[{size}] mixed load and floor in turns, {CLIENTS} clients, "
              f"{SLICES} × {seconds / SLICES:g} s each", flush=True)
        mixed, floor, placement = in_turns(server, floor_server, seconds,
                                           lambda i: mix(data, random.Random(i), numbers), ROLES)
        print(f"[{size}] writers only, {CLIENTS} clients, {seconds // 2} s", flush=True)
        server.phase = "writers only"
        writes_only, placement["writers only"] = drive(server, max(seconds // 2, 5), lambda i: (
            (name, role, method, path, form, headers)
            for name, role, method, path, form, headers in mix(data, random.Random(100 + i),
                                                                numbers)
            if name.startswith("write")), ("desk", "manager"))
        server.phase = "first load"
        weight = first_load(port)
    finally:
        memory = server.stop()
        floor["memory"] = floor_server.stop()
    for row in mixed.values():
        row["ratio_to_floor"] = round(row["p95_ms"] / floor["p95_ms"], 2)
    writes = {name: row for name, row in writes_only.items()}
    return {"meta": meta, "mixed": mixed, "writes": writes,
            "writes_per_second": round(sum(r["per_second"] for r in writes.values()), 1),
            "write_errors": sum(r["errors"] for r in writes.values()),
            "pdfs": pdfs, "first_load": weight, "memory": memory, "floor": floor,
            "connections": placement}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="small,large")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--port", type=int, default=5150)
    parser.add_argument("--out", default=os.path.join(HERE, "results.json"))
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"),
                        help="a PostgreSQL server URL: run every dataset on it too "
                             "(make bench starts one with .ci/with-postgres)")
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    report = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
              "machine": machine(), "clients": CLIENTS, "seconds": args.seconds,
              "server": "gunicorn gthread, 2 workers × 4 threads (bench/serve.py)",
              "datasets": {}}
    databases = args.databases.split(",")
    runs = [(size, None) for size in args.sizes.split(",") if "sqlite" in databases]
    if args.postgres and "postgres" in databases:
        runs += [(size, args.postgres) for size in args.sizes.split(",")]
    for offset, (size, postgres) in enumerate(runs, 1):
        report["datasets"][size + POSTGRES * bool(postgres)] = run_dataset(
            size, args.seconds, args.port + 2 * offset, args.port + 2 * offset + 1, postgres)
    for suffix in ("", POSTGRES):
        if {"small" + suffix, "large" + suffix} <= set(report["datasets"]):
            small, large = (report["datasets"][s + suffix]["mixed"] for s in ("small", "large"))
            for name, row in large.items():
                if name in small:
                    row["growth"] = round(row["p95_ms"] / small[name]["p95_ms"], 2)
    with open(args.out, "w") as handle:
        json.dump(report, handle, indent=2, ensure_ascii=False)
    print(json.dumps(report, indent=1, ensure_ascii=False)[:200], "…")
    write_markdown(report, os.path.join(HERE, "RESULTS.md"))
    print(f"wrote {args.out} and bench/RESULTS.md")


def machine():
    cpus = os.cpu_count()
    model = ""
    try:
        with open("/proc/cpuinfo") as info:
            model = next((line.split(":", 1)[1].strip() for line in info
                          if line.startswith("model name")), "")
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as info:
            memory = f"{int(info.readline().split()[1]) / 1024 / 1024:.1f} GB"
    except OSError:
        pass
    return {"cpus": cpus, "cpu": model, "memory": memory, "python": platform.python_version(),
            "system": platform.platform()}


def side_by_side(datasets):
    """Each endpoint's ratio to the floor and the other headline figures, one column per
    dataset and database."""
    names = list(datasets)
    if len(names) < 2:
        return []
    lines = ["## Both databases side by side", "",
             "| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    endpoints = list(dict.fromkeys(e for r in datasets.values() for e in r["mixed"]))
    for endpoint in endpoints:
        if endpoint.startswith("write"):
            continue
        cells = []
        for name in names:
            row = datasets[name]["mixed"].get(endpoint)
            cells.append("" if row is None else
                         f"{row['ratio_to_floor']} {mark(row['ratio_to_floor'] <= TARGET_RATIO)}")
        lines.append(f"| {endpoint} ×floor p95 | " + " | ".join(cells) + " |")
    lines.append("| writes alone /s | " + " | ".join(
        f"{datasets[n]['writes_per_second']} "
        f"{mark(datasets[n]['writes_per_second'] >= TARGET_WRITES)}" for n in names) + " |")
    for pdf, target in (("work order (1 page)", TARGET_FORM_S),
                        ("daily visitor sheet", TARGET_SHEET_S)):
        seconds = [datasets[n]["pdfs"].get(pdf, {}).get("seconds") for n in names]
        lines.append(f"| {pdf} s | " + " | ".join(
            "" if taken is None else f"{taken} {mark(taken <= target)}" for taken in seconds)
                     + " |")
    lines.append("| largest worker MB | " + " | ".join(
        f"{datasets[n]['memory']['rss_max_mb']} "
        f"{mark((datasets[n]['memory']['rss_max_mb'] or 0) < TARGET_RSS_MB)}"
        for n in names) + " |")
    return lines + [""]


def mark(ok):
    return "✓" if ok else "✗"


def write_markdown(report, path):
    """The figures as tables, each against its target; the analysis section is kept by hand."""
    lines = ["# Benchmark results", "",
             f"Run {report['date']} on {report['machine']['cpus']} CPUs "
             f"({report['machine']['cpu']}, {report['machine']['memory']}), Python "
             f"{report['machine']['python']}. Server: {report['server']}; {report['clients']} "
             f"keep-alive clients; {report['seconds']} s of mixed load per dataset.", "",
             "Commands: `make bench` (= `python bench/generate.py --size small`, "
             "`--size large` when missing, then `python bench/run.py`).", "",
             "The floor (base layout, no database) is served beside the app and driven in "
             f"turns with the mixed load ({SLICES} slices each), and each dataset's ratios are "
             "to the p95 of its own floor.", ""]
    datasets = report["datasets"]
    lines += side_by_side(datasets)
    for size, result in datasets.items():
        counts = ", ".join(f"{k} {v:,}" for k, v in result["meta"]["counts"].items())
        floor = result["floor"]
        loaded = result["meta"].get("load_seconds")
        lines += [f"## {size} dataset", "", f"{counts}." + (
                      f" Loaded from the SQLite file in {loaded} s." if loaded else ""), "",
                  f"Floor, in turns with the mix: p50 {floor['p50_ms']} ms, "
                  f"p95 {floor['p95_ms']} ms, {floor['per_second']} req/s while driven.", "",
                  f"Mixed load: {sum(r['per_second'] for r in result['mixed'].values()):.0f} "
                  "requests a second in all.", "",
                  "| endpoint | n | req/s | p50 ms | p95 ms | p99 ms | ×floor p95 (≤3) | "
                  "large/small p95 (≤1.5) | errors |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for name, row in result["mixed"].items():
            growth = row.get("growth")
            ratio_ok = name.startswith("write") or row["ratio_to_floor"] <= TARGET_RATIO
            lines.append(
                f"| {name} | {row['count']} | {row['per_second']} | {row['p50_ms']} | "
                f"{row['p95_ms']} | {row['p99_ms']} | {row['ratio_to_floor']} "
                f"{'' if name.startswith('write') else mark(ratio_ok)} | "
                f"{'' if growth is None else f'{growth} {mark(growth <= TARGET_GROWTH)}'} | "
                f"{row['errors']} |")
        placed = result.get("connections")
        if placed:
            lines += ["", "Keep-alive connections per worker (spread evenly before measuring, "
                      "see `spread` in run.py): " + "; ".join(
                          f"{phase} {'+'.join(map(str, split['connections_per_worker']))} "
                          f"after {split['reconnections']} reconnections"
                          for phase, split in placed.items()) + "."]
        rate = result["writes_per_second"]
        lines += ["", f"Writes alone ({CLIENTS} writers: visitor, purchase, complaint progress): "
                  f"**{rate}/s**, {result['write_errors']} errors "
                  f"{mark(rate >= TARGET_WRITES and not result['write_errors'])} "
                  f"(target ≥ {TARGET_WRITES}/s, none failing).", "",
                  "| PDF | seconds | KB | pages | target |", "|---|---:|---:|---:|---|"]
        for name, row in result["pdfs"].items():
            if "1 page" in name:
                ok = row["seconds"] <= TARGET_FORM_S and row["kb"] <= TARGET_FORM_KB
                target = f"≤ {TARGET_FORM_S} s, ≤ {TARGET_FORM_KB} KB {mark(ok)}"
            elif "visitor sheet" in name:
                target = f"≤ {TARGET_SHEET_S} s {mark(row['seconds'] <= TARGET_SHEET_S)}"
            else:
                target = ""
            lines.append(f"| {name} | {row['seconds']} | {row['kb']} | {row['pages']} | "
                         f"{target} |")
        weight, memory = result["first_load"], result["memory"]
        lines += ["", f"First load of the home page: {weight['kb']} KB "
                  f"{'(gzip)' if weight['compressed'] else '(uncompressed)'} "
                  f"{mark(weight['kb'] <= TARGET_FIRST_LOAD_KB)}; scripts: "
                  f"{', '.join(weight['scripts'])}; web fonts: {weight['web_fonts']}.", "",
                  f"Worker memory (RSS, largest worker): {memory['rss_start_mb']} MB at start, "
                  f"{memory['rss_max_mb']} MB at most "
                  f"{mark((memory['rss_max_mb'] or 0) < TARGET_RSS_MB)} (target < {TARGET_RSS_MB} MB); "
                  f"the PDF process (WeasyPrint, recycled every "
                  f"{PDF_TASKS} PDFs): {memory['pdf_process_rss_max_mb']} MB at most. "
                  "Largest worker by phase: " + ", ".join(
                      f"{phase} {mb} MB" for phase, mb in
                      memory.get("rss_max_mb_by_phase", {}).items()) + ".",
                  ""]
    notes = ""
    if os.path.exists(path):
        with open(path) as handle:
            text = handle.read()
        if "## Notes" in text:
            notes = text[text.index("## Notes"):]
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n" + (notes or "## Notes\n\n(none yet)\n"))


if __name__ == "__main__":
    main()

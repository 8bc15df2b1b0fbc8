"""Where one page's time goes: cProfile over repeated requests, in-process, on a dataset copy.

    python bench/explain.py --size large --role manager /complaints/?view=all
    python bench/explain.py --role desk --post '{"receipt_no": "B1", ...}' /vip/counter
    python bench/explain.py --database postgresql://me@/bench_large?host=/tmp /reception/

Prints the mean wall time per request, the queries per request, and the functions with the
most cumulative and own time. bench/run.py measures; this explains what it measured.
"""
import argparse
import cProfile
import json
import os
import pstats
import re
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from bench.run import DATA, working_copy  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", metavar="path")
    parser.add_argument("--size", default="large")
    parser.add_argument("--database", metavar="URL",
                        help="explain on this database (bench/topg.py loads one into "
                             "PostgreSQL) instead of a copy of the --size dataset")
    parser.add_argument("--role", default="manager")
    parser.add_argument("--times", type=int, default=30)
    parser.add_argument("--post", help="form fields as JSON: POST them (with the CSRF token)")
    parser.add_argument("--htmx", action="store_true", help="send HX-Request: true")
    parser.add_argument("--top", type=int, default=25,
                        help="functions to list (0: only the mean time and the query count)")
    parser.add_argument("--queries", action="store_true", help="also print each query's SQL")
    parser.add_argument("--width", type=int, default=300, help="characters of SQL to print")
    parser.add_argument("--dump", metavar="FILE",
                        help="also write the profile to FILE (for pstats, snakeviz…)")
    args = parser.parse_args()

    url = args.database or "sqlite:///" + working_copy(
        os.path.join(DATA, f"{args.size}.db"), os.path.join(DATA, f"{args.size}-explain.db"))

    from app import create_app
    from models import db, schema
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench",
                      "PDF_WAIT_SECONDS": 60})
    with app.app_context(), db.connection_context():
        schema.upgrade()
    client = signed_in(app, args.role)
    form = json.loads(args.post) if args.post else None
    floor = floor_ms()
    print(f"floor (bench/floor.py in-process): {floor:.2f} ms per request")
    for path in args.paths:
        explain(requester(client, path, form, args.htmx), db, path, args, floor)


def signed_in(app, role):
    """A test client of `app`, signed in as the demo user `role`."""
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"username": role, "password": "counter-demo-26",
                                                "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return client


def floor_ms(times=300):
    """The base layout alone, in-process: the yardstick for this machine at this moment."""
    from bench.floor import create_floor
    client = create_floor().test_client()
    for _ in range(20):
        client.get("/")
    cpu = time.process_time()
    for _ in range(times):
        client.get("/")
    return (time.process_time() - cpu) / times * 1000


def requester(client, path, form=None, htmx=False):
    """A function making one request of `path` with the signed-in `client`: a GET, or with
    `form` a POST of its fields ("{n}" in a value becomes a new number each time, for fields
    that must differ). It stops the run on an unexpected status."""
    counter = iter(range(10 ** 9))
    headers = {"HX-Request": "true"} if htmx else {}
    token = None
    if form is not None:
        home = client.get("/").get_data(as_text=True)
        token = re.search(r'"X-CSRFToken": "([^"]+)"', home).group(1)

    def once():
        if form is None:
            response = client.get(path, headers=headers)
            expected = 200
        else:
            fields = {key: str(value).replace("{n}", str(next(counter)))
                      for key, value in form.items()}
            response = client.post(path, data=dict(fields, csrf_token=token),
                                   headers=headers)
            expected = 302
            with client.session_transaction() as session:
                session.pop("_flashes", None)  # the page it redirects to would show and clear it
        if response.status_code != expected:
            raise SystemExit(f"{response.status_code}: {response.get_data(as_text=True)[:500]}")
        return response
    return once


def explain(once, db, path, args, floor):
    size = len(once().get_data())  # warm: templates compiled, caches filled
    queries = [0]
    original = db.obj.execute_sql

    def counting(sql, params=None, *rest, **kwargs):
        queries[0] += 1
        if args.queries:
            print(f"  {queries[0]:>2}. {' '.join(sql.split())[:args.width]}  {params}")
        return original(sql, params, *rest, **kwargs)
    db.obj.execute_sql = counting
    once()
    db.obj.execute_sql = original
    print(f"{path}: {size / 1024:.1f} KB, {queries[0]} queries per request")

    times = []
    cpu = time.process_time()
    for _ in range(args.times):
        started = time.perf_counter()
        once()
        times.append(time.perf_counter() - started)
    cpu = (time.process_time() - cpu) / args.times
    times.sort()
    print(f"median {times[len(times) // 2] * 1000:.2f} ms, fastest {times[0] * 1000:.2f} ms, "
          f"CPU {cpu * 1000:.2f} ms per request = {cpu * 1000 / floor:.1f}× the floor "
          f"(no profiler, {args.times} requests)")

    if not args.top:
        return
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.times):
        once()
    profiler.disable()
    if args.dump:
        profiler.dump_stats(args.dump)
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()

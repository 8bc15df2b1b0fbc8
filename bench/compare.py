"""Two versions of the app side by side: CPU per request, in-process, in alternating batches.

    python bench/compare.py --base HEAD~3 --role desk "/reception/" "/search?q=2319"

The base commit is checked out into a temporary git worktree. Each version runs in a process of
its own, on its own copy of the dataset, signed in as --role; the two take turns (a batch of
--batch requests of one path each, --rounds times), so both see the same moments of this VM,
whose speed drifts by 20 % within minutes. For each path: the median over the rounds of a
batch's mean CPU per request, for the base and for the working tree, and the difference.
bench/explain.py says where one version's time goes; this says what a change bought.

    python bench/compare.py --base HEAD~1 --role desk --post '{"receipt_no": "B{n}", ...}' \
        /vip/counter
    python bench/compare.py --postgres postgresql://me@127.0.0.1:5432/postgres /reception/

--post sends the form's fields, as bench/explain.py does. --postgres runs each version on its
own copy of the database bench/topg.py loaded (bench_<size>) on that server, which must be on
this machine: the database server's CPU for the version's connection is then shown beside the
app's, read from the kernel's count for that server process.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from bench.explain import requester, signed_in  # noqa: E402  (the working tree's, either app)


def serve(root, database, role, htmx, form):
    """The child: the app at `root` on `database` (a SQLite file, copied first, or a database
    URL); runs 'PATH N' lines from stdin, answering each with the mean CPU milliseconds of N
    requests of PATH, the app's and the database server's (0 for SQLite)."""
    sys.path.insert(0, root)  # this version's app, models and templates
    os.chdir(root)
    work = tempfile.mkdtemp(prefix="compare-")
    url = database
    if "://" not in database:
        url = "sqlite:///" + os.path.join(work, "data.db")
        shutil.copyfile(database, url[len("sqlite:///"):])
    from app import create_app
    from models import db, is_postgres, schema
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "compare"})
    with app.app_context(), db.connection_context():
        schema.upgrade()
    client = signed_in(app, role)
    backend = None
    requesters = {}  # one per path, so "{n}" keeps counting from one round to the next
    print("ready", flush=True)
    for line in sys.stdin:
        path, count = line.rsplit(" ", 1)
        if path not in requesters:
            requesters[path] = requester(client, path, form, htmx)
        once = requesters[path]
        for _ in range(3):  # warm: templates compiled, caches filled
            once()
        if backend is None and is_postgres():
            with app.app_context():  # (this thread's connection, which the requests use)
                backend = db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]
        server = server_cpu_ns(backend)
        cpu = time.process_time()
        for _ in range(int(count)):
            once()
        app_ms = (time.process_time() - cpu) / int(count) * 1000
        server_ms = (server_cpu_ns(backend) - server) / int(count) / 1e6
        print(f"{app_ms:.4f} {server_ms:.4f}", flush=True)
    shutil.rmtree(work, ignore_errors=True)


def server_cpu_ns(pid):
    """Nanoseconds the database server process `pid` has run on a CPU (0 without one)."""
    if pid is None:
        return 0
    with open(f"/proc/{pid}/schedstat") as stat:
        return int(stat.read().split()[0])


def copies(server_url, size, count):
    """`count` fresh copies of bench_<size> on the PostgreSQL server; their names."""
    import psycopg
    from psycopg import sql
    names = [f"compare_{size}_{i}" for i in range(count)]
    drop(server_url, names)  # (left by an interrupted run)
    with psycopg.connect(server_url, autocommit=True) as connection:
        for name in names:
            connection.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(f"bench_{size}")))
    return names


def drop(server_url, names):
    import psycopg
    from psycopg import sql
    with psycopg.connect(server_url, autocommit=True) as connection:
        for name in names:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", metavar="path")
    parser.add_argument("--base", default="HEAD", help="the commit to compare against")
    parser.add_argument("--size", default="large")
    parser.add_argument("--role", default="manager")
    parser.add_argument("--htmx", action="store_true", help="send HX-Request: true")
    parser.add_argument("--post", help="form fields as JSON: POST them (with the CSRF token)")
    parser.add_argument("--postgres", metavar="URL",
                        help="a PostgreSQL server on this machine holding bench_<size>")
    parser.add_argument("--socket", default=os.environ.get("TEST_DATABASE_SOCKET"),
                        help='"host=DIR&port=N": connect through the Unix socket')
    parser.add_argument("--batch", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--serve", nargs=2, metavar=("ROOT", "DATABASE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    form = json.loads(args.post) if args.post else None
    if args.serve:
        return serve(*args.serve, args.role, args.htmx, form)
    if not args.paths:
        parser.error("name at least one path")

    names = []
    if args.postgres:
        from bench.topg import database_url
        names = copies(args.postgres, args.size, 2)
        databases = [database_url(args.postgres, name, args.socket) for name in names]
    else:
        database = os.path.join(HERE, "data", f"{args.size}.db")
        if not os.path.exists(database):
            raise SystemExit(f"{database} is missing: run python bench/generate.py "
                             f"--size {args.size}")
        databases = [database] * 2
    base = tempfile.mkdtemp(prefix="compare-base-")
    subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", "-f", base, args.base],
                   check=True, capture_output=True)
    children = []
    try:
        for root, database in zip((base, ROOT), databases):
            command = [sys.executable, os.path.abspath(__file__), "--serve", root, database,
                       "--role", args.role] + (["--htmx"] if args.htmx else []) + (
                       ["--post", args.post] if args.post else [])
            children.append(subprocess.Popen(command, stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, text=True))
        for child in children:
            if child.stdout.readline().strip() != "ready":
                raise SystemExit("a version did not start")
        print(f"base {args.base} against the working tree; {args.rounds} rounds of "
              f"{args.batch} requests each, CPU ms per request (median of the rounds)")
        for path in args.paths:
            times = ([], [])
            for _round in range(args.rounds):
                for child, found in zip(children, times):
                    child.stdin.write(f"{path} {args.batch}\n")
                    child.stdin.flush()
                    found.append([float(v) for v in child.stdout.readline().split()])
            old, new = ([statistics.median(r[0] for r in found),
                         statistics.median(r[1] for r in found)] for found in times)
            line = f"{path:50s} base {old[0]:.3f}  now {new[0]:.3f}  {change(old[0], new[0])}"
            if args.postgres:
                line += (f"  | server base {old[1]:.3f}  now {new[1]:.3f}  "
                         f"{change(old[1], new[1])}  | both {change(sum(old), sum(new))}")
            print(line)
    finally:
        for child in children:
            child.stdin.close()
            child.wait()
        subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", base],
                       capture_output=True)
        if names:
            drop(args.postgres, names)


def change(old, new):
    return f"{100 * (new - old) / old:+.1f} %" if old else "—"


if __name__ == "__main__":
    main()

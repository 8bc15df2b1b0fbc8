"""Two versions of the app side by side: CPU per request, in-process, in alternating batches.

    python bench/compare.py --base HEAD~3 --role desk "/reception/" "/search?q=2319"

The base commit is checked out into a temporary git worktree. Each version runs in a process of
its own, on its own copy of the dataset, signed in as --role; the two take turns (a batch of
--batch requests of one path each, --rounds times), so both see the same moments of this VM,
whose speed drifts by 20 % within minutes. For each path: the median over the rounds of a
batch's mean CPU per request, for the base and for the working tree, and the difference.
bench/explain.py says where one version's time goes; this says what a change bought.
"""
import argparse
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

from bench.explain import signed_in  # noqa: E402  (the working tree's, whichever app is run)


def serve(root, database, role, htmx):
    """The child: the app at `root` on a copy of `database`; runs 'PATH N' lines from stdin,
    answering each with the mean CPU milliseconds of N requests of PATH."""
    sys.path.insert(0, root)  # this version's app, models and templates
    os.chdir(root)
    work = tempfile.mkdtemp(prefix="compare-")
    copy = os.path.join(work, "data.db")
    shutil.copyfile(database, copy)
    from app import create_app
    from models import db, schema
    app = create_app({"DATABASE_URL": f"sqlite:///{copy}", "SECRET_KEY": "compare"})
    with app.app_context(), db.connection_context():
        schema.upgrade()
    client = signed_in(app, role)
    headers = {"HX-Request": "true"} if htmx else {}
    print("ready", flush=True)
    for line in sys.stdin:
        path, count = line.rsplit(" ", 1)
        for _ in range(3):  # warm: templates compiled, caches filled
            status = client.get(path, headers=headers).status_code
            if status != 200:
                raise SystemExit(f"{path}: {status}")
        cpu = time.process_time()
        for _ in range(int(count)):
            client.get(path, headers=headers)
        print(f"{(time.process_time() - cpu) / int(count) * 1000:.4f}", flush=True)
    shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", metavar="path")
    parser.add_argument("--base", default="HEAD", help="the commit to compare against")
    parser.add_argument("--size", default="large")
    parser.add_argument("--role", default="manager")
    parser.add_argument("--htmx", action="store_true", help="send HX-Request: true")
    parser.add_argument("--batch", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--serve", nargs=2, metavar=("ROOT", "DATABASE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(*args.serve, args.role, args.htmx)
    if not args.paths:
        parser.error("name at least one path")

    database = os.path.join(HERE, "data", f"{args.size}.db")
    if not os.path.exists(database):
        raise SystemExit(f"{database} is missing: run python bench/generate.py --size {args.size}")
    base = tempfile.mkdtemp(prefix="compare-base-")
    subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", "-f", base, args.base],
                   check=True, capture_output=True)
    children = []
    try:
        for root in (base, ROOT):
            command = [sys.executable, os.path.abspath(__file__), "--serve", root, database,
                       "--role", args.role] + (["--htmx"] if args.htmx else [])
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
                    found.append(float(child.stdout.readline()))
            old, new = (statistics.median(found) for found in times)
            print(f"{path:50s} base {old:.3f}  now {new:.3f}  {100 * (new - old) / old:+.1f} %")
    finally:
        for child in children:
            child.stdin.close()
            child.wait()
        subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", base],
                       capture_output=True)


if __name__ == "__main__":
    main()

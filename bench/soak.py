"""Soak: ten minutes of mixed work at twice a busy office's rate; no errors, no memory growth.

    python bench/soak.py                       # 600 s at 12 requests/s (make soak)
    python bench/soak.py --seconds 120         # the shorter run CI does

A busy office: three desks (reception, complaints, VIP counter) each opening a page or saving a
form every half second at the peak, 6 requests a second. The soak paces four keep-alive clients
to twice that, 12 a second, over the same mix as bench/run.py (searches, lists, details, home
pages, and visitor, purchase and complaint-progress writes), on a copy of the small dataset,
served as deployed (bench/serve.py). It passes when no request fails and no worker's resident
memory at the end exceeds what it was after the first minute by more than 10 %.
"""
import argparse
import json
import os
import random
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from run import (  # noqa: E402
    DATA,
    Client,
    Dataset,
    Server,
    children,
    mix,
    rss_mb,
    shared_counter,
    working_copy,
)

BUSY_OFFICE_RATE = 6
CLIENTS = 4
WARM_UP = 60


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--rate", type=float, default=2 * BUSY_OFFICE_RATE)
    parser.add_argument("--port", type=int, default=5180)
    parser.add_argument("--out", default=os.path.join(HERE, "soak.json"))
    args = parser.parse_args()
    source = os.path.join(DATA, "small.db")
    if not os.path.exists(source):
        raise SystemExit("bench/data/small.db is missing: python bench/generate.py --size small")
    path = working_copy(source, os.path.join(DATA, "soak.db"))
    with open(os.path.join(DATA, "small.json")) as handle:
        data = Dataset(path, json.load(handle))
    server = Server("app", path, args.port)
    shared, lock = shared_counter(), threading.Lock()
    interval = CLIENTS / args.rate
    stop_at = time.time() + args.seconds
    results = {"requests": 0, "errors": [], "latencies": []}
    memory = []  # (seconds since start, largest worker RSS)
    started = time.time()

    def client(index):
        connection = Client(args.port)
        for role in ("desk", "manager", "engineer", "gm"):
            connection.login(role)
        plan = mix(data, random.Random(index), shared)
        next_at = time.time()
        while time.time() < stop_at:
            step = next(plan)
            name = step[0]
            status, elapsed, ok = connection.perform(step)
            with lock:
                results["requests"] += 1
                results["latencies"].append(elapsed)
                if not ok:
                    results["errors"].append(f"{name}: {status}")
            next_at += interval
            time.sleep(max(0, next_at - time.time()))

    def sample():
        while time.time() < stop_at:
            sizes = [rss_mb(pid) for pid in children(server.process.pid)]
            sizes = [size for size in sizes if size]
            if sizes:
                memory.append((round(time.time() - started), round(max(sizes), 1)))
            time.sleep(5)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    threads.append(threading.Thread(target=sample, daemon=True))
    for thread in threads:
        thread.start()
    for thread in threads[:-1]:
        thread.join()
    server.stop()
    took = time.time() - started
    warm = [size for at, size in memory if at <= WARM_UP] or [memory[0][1]]
    end = [size for at, size in memory if at >= took - WARM_UP] or [memory[-1][1]]
    baseline, final = max(warm), max(end)
    growth = (final - baseline) / baseline * 100
    latencies = sorted(results["latencies"])
    report = {"seconds": round(took), "rate_per_second": round(results["requests"] / took, 1),
              "target_rate": args.rate, "requests": results["requests"],
              "errors": len(results["errors"]), "error_samples": results["errors"][:5],
              "p95_ms": round(latencies[int(0.95 * len(latencies))] * 1000, 1),
              "worker_rss_after_warm_up_mb": baseline, "worker_rss_at_end_mb": final,
              "memory_growth_percent": round(growth, 1), "memory_samples": memory}
    with open(args.out, "w") as handle:
        json.dump(report, handle, indent=2, ensure_ascii=False)
    passed = not results["errors"] and growth <= 10
    print(f"{report['requests']} requests in {report['seconds']} s "
          f"({report['rate_per_second']}/s), {report['errors']} errors, p95 {report['p95_ms']} ms; "
          f"worker RSS {baseline} MB after the first minute, {final} MB at the end "
          f"({report['memory_growth_percent']:+} %): {'PASS' if passed else 'FAIL'}")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()

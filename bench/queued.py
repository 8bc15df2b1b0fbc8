"""Browsing while long work is queued (issue 23): 8 clerks browse; 8 long exports or sheets are
queued together; the browsing p95 may rise by at most 50 %.

    .venv/bin/python bench/queued.py [--size large] [--seconds 20]

The app is served as deployed (bench/serve.py: gunicorn, 2 workers × 4 threads, with the task
consumer beside it, which does the exports and typesets the sheets). Browsing is the read half
of bench/run.py's mix (8 keep-alive clients). First it is measured alone, then again while a
manager starts 4 complaint exports (one category each, about 20,000 rows on the large dataset)
and 4 day sheets of the visitor register at the same moment and waits for each job to finish.
"""
import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from bench import run  # noqa: E402

CATEGORIES = ["产品质量", "销售合同", "维修质量", "服务质量"]


def p95(times):
    ordered = sorted(times)
    return ordered[int(len(ordered) * 0.95)] * 1000 if ordered else None


def browse(clients, seconds, data, numbers):
    """All read times (seconds) of one drive of the clients over the read half of the mix."""
    def plan(i):
        return (step for step in run.mix(data, random.Random(i), numbers)
                if not step[0].startswith("write"))
    results, errors, _elapsed = run.drive_raw(clients, seconds, plan)
    return [t for times in results.values() for t in times], sum(errors.values())


def queue_long_work(port, data, report):
    """Start 4 exports and 4 sheets at once, as a manager; wait for every job to finish."""
    paths = [f"/complaints/export?view=all&category={urllib.parse.quote(c)}" for c in CATEGORIES]
    today = time.strptime(data.today, "%Y-%m-%d")
    days = [time.strftime("%Y-%m-%d", time.localtime(time.mktime(today) - 86400 * n))
            for n in range(1, 5)]
    paths += [f"/reception/visits/print?day={day}" for day in days]
    started = []

    def one(path):
        try:
            queue_one(path)
        except Exception as error:  # (reported, not lost with its thread)
            report.append({"path": path, "error": repr(error)[:300]})

    def queue_one(path):
        client = run.Client(port)
        client.login("manager")
        began = time.monotonic()
        status, body, _elapsed, response = client.request("GET", path)
        location = response.getheader("Location") or ""
        if status != 302 or "/jobs/" not in location:
            report.append({"path": path, "status": status, "queued": False,
                           "seconds": round(time.monotonic() - began, 2)})
            return
        started.append(path)
        while True:
            status, page, _e, _r = client.request("GET", location)
            text = page.decode("utf-8", "replace")
            if "/file" in text or "失败" in text or "failed" in text.lower():
                break
            time.sleep(0.5)
        report.append({"path": path, "queued": True, "done": "/file" in text,
                       "seconds": round(time.monotonic() - began, 2)})

    threads = [threading.Thread(target=one, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    return threads


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="large")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--port", type=int, default=5180)
    args = parser.parse_args()
    with open(os.path.join(run.DATA, f"{args.size}.json")) as handle:
        meta = json.load(handle)
    path = run.working_copy(os.path.join(run.DATA, f"{args.size}.db"),
                            os.path.join(run.DATA, f"{args.size}-run.db"))
    data, numbers = run.Dataset(path, meta), run.shared_counter()
    os.environ["BENCH_PDF_WAIT_SECONDS"] = "1.0"  # the deployed default (serve.py reads it)
    server = run.Server("app", path, args.port)
    try:
        clients, _split = run.signed_in_clients(server, run.ROLES)
        browse(clients, 5, data, numbers)  # (warm-up)
        alone, errors_alone = browse(clients, args.seconds, data, numbers)
        jobs = []
        threads = queue_long_work(args.port, data, jobs)
        loaded, errors_loaded = browse(clients, args.seconds, data, numbers)
        for thread in threads:
            thread.join(600)
    finally:
        memory = server.stop()
    result = {"size": args.size, "seconds": args.seconds, "clients": run.CLIENTS,
              "browse_alone": {"requests": len(alone), "p95_ms": round(p95(alone), 1),
                               "median_ms": round(statistics.median(alone) * 1000, 1),
                               "errors": errors_alone},
              "browse_with_8_queued": {"requests": len(loaded), "p95_ms": round(p95(loaded), 1),
                                       "median_ms": round(statistics.median(loaded) * 1000, 1),
                                       "errors": errors_loaded},
              "jobs": sorted(jobs, key=lambda j: j["path"]), "memory": memory}
    result["p95_rise"] = round(result["browse_with_8_queued"]["p95_ms"] /
                               result["browse_alone"]["p95_ms"] - 1, 3)
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

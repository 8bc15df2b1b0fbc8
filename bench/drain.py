"""How fast the outbox drains (issue 23: 1,000 queued notifications at >= 100/s).

    .venv/bin/python bench/drain.py [--count 1000] [--workers 4]

A local HTTP server stands in for the 企业微信 group robot (it answers {"errcode": 0} as the
robot documents). COUNT deliveries are queued on an embedded SQLite queue with no consumer
running; then `flask tasks` (the consumer as `make run` starts it, without the scheduled duties)
is started and timed until every delivery is "sent". The rate counts from the consumer's start,
so it includes its start-up.
"""
import argparse
import http.server
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


class Robot(http.server.BaseHTTPRequestHandler):
    """The group robot's documented answer to a message it took."""

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        body = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    robot = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    threading.Thread(target=robot.serve_forever, daemon=True).start()
    work = tempfile.mkdtemp(prefix="frontdesk-drain-")
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{work}/desk.db", SECRET_KEY="drain",
               FRONTDESK_TASKS=f"sqlite:///{work}/tasks.db")
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    enqueue = ("from app import create_app\nfrom models import db\n"
               "from services import channels\n"
               "app = create_app()\n"
               "with app.app_context(), db.connection_context():\n"
               f"    for n in range({args.count}):\n"
               f"        channels.queue('wecom', 'http://127.0.0.1:{robot.server_port}/cgi-bin/"
               "webhook/send?key=bench', f'催办：投诉 TS-{n} 已超期，请尽快处理')\n")
    subprocess.run([sys.executable, "-c", enqueue], cwd=ROOT, env=env, check=True)
    started = time.monotonic()
    consumer = subprocess.Popen(flask + ["tasks", "--workers", str(args.workers), "--no-duties"],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    try:
        while True:
            with sqlite3.connect(f"{work}/desk.db") as connection:
                sent, = connection.execute(
                    "SELECT count(*) FROM delivery WHERE state = 'sent'").fetchone()
            if sent >= args.count or time.monotonic() - started > 300:
                break
            time.sleep(0.1)
        elapsed = time.monotonic() - started
    finally:
        consumer.terminate()
        consumer.wait(30)
        robot.shutdown()
    print(json.dumps({"queued": args.count, "sent": sent, "workers": args.workers,
                      "seconds": round(elapsed, 2), "per_second": round(sent / elapsed, 1)}))


if __name__ == "__main__":
    main()

"""CI (issue 23): two app servers, each with its task consumer, on one PostgreSQL and one Redis.

Run by .ci/run under .ci/with-postgres (TEST_DATABASE_URL), with Debian's redis-server and the
redis package installed. It shows:
- an export started on server A (a long list: a queued job) is watched and downloaded from
  server B, which never saw it start: the job, its progress and its file live in the database;
- the scheduled duties run exactly once per period although both consumers tick every minute.
"""
import http.cookiejar
import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "two-servers-1"
CUSTOMERS = 2100  # more than EXPORT_INLINE_ROWS (2000): the export becomes a job


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"the process for port {port} died")
            time.sleep(0.2)
    raise SystemExit(f"nothing answers on port {port}")


class Browser:
    """A signed-in session that can be carried to another server (same cookie)."""

    def __init__(self, jar=None):
        self.jar = jar or http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  NoRedirect())

    def get(self, url):
        try:
            with self.opener.open(url, timeout=60) as answer:
                return answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.headers, answer.read()

    def login(self, base, username):
        _, _, page = self.get(base + "/auth/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"username": username, "password": PASSWORD,
                                       "csrf_token": token.decode()}).encode()
        try:
            with self.opener.open(base + "/auth/login", data=data, timeout=60) as answer:
                status = answer.status
        except urllib.error.HTTPError as answer:
            status = answer.code
        assert status == 302, f"login on {base}: {status}"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main():
    database = os.environ["TEST_DATABASE_URL"]
    redis_port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    env = dict(os.environ, DATABASE_URL=database, SECRET_KEY="two-servers-secret",
               FRONTDESK_TASKS=f"redis://127.0.0.1:{redis_port}/0", PYTHONUNBUFFERED="1")
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    servers, logs = [], []
    try:
        wait_for(redis_port, redis)
        subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True)
        # The daily duties are due from their hour of the site's day: the site is put in a
        # zone where it is now mid-afternoon, so that they are due whenever CI runs.
        zone = f"Etc/GMT{-(14 - time.gmtime().tm_hour):+d}"  # (POSIX sign: GMT-6 is UTC+6)
        setup = ("from app import create_app\nfrom models import Customer, db\n"
                 "from services import accounts, settings\n"
                 "app = create_app()\n"
                 "with app.app_context(), db.connection_context():\n"
                 f"    settings.store({{'site_timezone': {zone!r}}})\n"
                 f"    accounts.create_user('manager', '经理甲', 'manager', {PASSWORD!r})\n"
                 "    Customer.insert_many([{'name': f'客户{n}', 'phone': f'139{n:08d}',"
                 f" 'kind': 'resident'}} for n in range({CUSTOMERS})]).execute()\n")
        subprocess.run([sys.executable, "-c", setup], cwd=ROOT, env=env, check=True)
        ports = [free_port(), free_port()]
        for port in ports:
            log = tempfile.TemporaryFile("w+")
            logs.append(log)
            servers.append(subprocess.Popen(flask + ["serve", "--port", str(port)], cwd=ROOT,
                                            env=env, stdout=log, stderr=subprocess.STDOUT))
        for port, server in zip(ports, servers):
            wait_for(port, server)
        a, b = (f"http://127.0.0.1:{port}" for port in ports)

        browser = Browser()
        browser.login(a, "manager")
        status, headers, _ = browser.get(a + "/archives/export")
        assert status == 302 and "/jobs/" in headers["Location"], (status, dict(headers))
        token = headers["Location"].rsplit("/", 1)[1]
        print(f"export started on A: job {token}")
        deadline = time.monotonic() + 120
        while True:  # watched on B
            status, _, page = browser.get(f"{b}/jobs/{token}")
            assert status == 200, status
            if "/file".encode() in page or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        status, headers, body = browser.get(f"{b}/jobs/{token}/file")
        assert status == 200 and body[:2] == b"PK", (status, body[:200])
        from openpyxl import load_workbook
        rows = load_workbook(io.BytesIO(body), read_only=True).active.max_row
        assert rows == CUSTOMERS + 1, rows
        print(f"downloaded from B: {len(body)} bytes, {rows - 1} customers")

        # Both consumers tick each minute; wait until each has ticked, then count the runs.
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            ticked = []
            for log in logs:
                log.seek(0)
                ticked.append(len(re.findall(r"Executing \S*tick_task", log.read())))
            if all(ticked):
                break
            time.sleep(2)
        assert all(ticked), f"ticks run per server: {ticked}"
        check = ("from app import create_app\nfrom models import DutyRun, db\nfrom peewee import fn\n"
                 "app = create_app()\n"
                 "with app.app_context(), db.connection_context():\n"
                 "    rows = list(DutyRun.select(DutyRun.duty, DutyRun.period,"
                 " fn.COUNT(DutyRun.id)).group_by(DutyRun.duty, DutyRun.period).tuples())\n"
                 "    print(rows)\n"
                 "    assert len(rows) >= 4 and all(n == 1 for _, _, n in rows), rows\n")
        runs = subprocess.run([sys.executable, "-c", check], cwd=ROOT, env=env, check=True,
                              capture_output=True, text=True).stdout.strip()
        print(f"ticks run by each server's consumer: {ticked}; each duty ran once per period: {runs}")
    finally:
        for server in servers:
            server.terminate()  # (flask serve stops its consumer with it)
        for server in servers:
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                server.kill()
        redis.terminate()
        redis.wait(10)
        for log in logs:
            log.close()
    print("two servers: ok")


if __name__ == "__main__":
    main()

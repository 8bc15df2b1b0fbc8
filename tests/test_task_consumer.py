"""Issue 23: the task consumer as `make run` starts it (`flask tasks`), on the embedded SQLite
queue: work enqueued by one process is done by the consumer, and SIGINT stops it cleanly."""
import os
import signal
import sqlite3
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def on_the_real_clock(env):
    """The consumer's environment without libfaketime (.ci/run's runs at other hours).

    Its threads idle in huey's timed waits, which Python 3.11 makes with sem_clockwait on the
    monotonic clock. libfaketime 0.9.10 fakes that clock but not sem_clockwait, so each wait
    would last until the real clock caught up with the faked one. Nothing here depends on the hour.
    """
    preload = [lib for lib in env.get("LD_PRELOAD", "").split(":") if "faketime" not in lib]
    return dict(env, LD_PRELOAD=":".join(preload))


def test_the_consumer_runs_what_the_web_process_queues(tmp_path):
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path}/desk.db",
               FRONTDESK_TASKS=f"sqlite:///{tmp_path}/tasks.db", SECRET_KEY="consumer-test")
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    consumer = subprocess.Popen(flask + ["tasks", "--workers", "1"], cwd=ROOT,
                                env=on_the_real_clock(env),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # What the admin page's "run now" does in the web process: put the task on the queue.
        subprocess.run([sys.executable, "-c", "import app; from services import duties; "
                        "duties.run_now_task('ownership_lapse')"],
                       cwd=ROOT, env=env, check=True, capture_output=True)
        deadline = time.monotonic() + 60
        runs = []
        while not runs and time.monotonic() < deadline:
            time.sleep(0.5)
            with sqlite3.connect(tmp_path / "desk.db") as connection:
                runs = connection.execute(
                    "SELECT duty, state, detail FROM duty_run "
                    "WHERE period LIKE 'manual %'").fetchall()
        # (The consumer's own tick may run the duties due at this hour too; each once.)
        assert runs == [("ownership_lapse", "done", "0 lapsed")]
        consumer.send_signal(signal.SIGINT)  # what `flask serve` sends it when it stops
        assert consumer.wait(timeout=60) == 0
    finally:
        if consumer.poll() is None:
            consumer.kill()
            consumer.wait()


WEB = """
import re, sys
sys.path.insert(0, {root!r})
from app import create_app
from models import Customer, db
from services import accounts
app = create_app({{"EXPORT_INLINE_ROWS": 1, "PDF_WAIT_SECONDS": 0}})
with app.app_context(), db.connection_context():
    accounts.create_user("manager", "经理甲", "manager", "secret-pass-1")
    for n in range(3):
        Customer.create(name=f"客户{{n}}", phone=f"1390000000{{n}}", kind="resident")
client = app.test_client()
page = client.get("/auth/login").get_data(as_text=True)
token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
client.post("/auth/login", data={{"username": "manager", "password": "secret-pass-1",
                                  "csrf_token": token}})
for path in ("/archives/export", "/complaints/stats/print?month=2026-10"):
    print(client.get(path).location.rsplit("/", 1)[1])
"""


def test_exports_and_pdfs_queued_by_the_web_side_are_done_by_the_consumer(tmp_path):
    """The web process only queues the work; the consumer (another process, as under `make
    run`) builds the file and keeps it in the database, where the web side serves it."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path}/desk.db",
               FRONTDESK_TASKS=f"sqlite:///{tmp_path}/tasks.db", SECRET_KEY="consumer-test")
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    script = tmp_path / "web.py"
    script.write_text(WEB.format(root=ROOT))
    asked = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, check=True,
                           capture_output=True, text=True).stdout.split()
    assert len(asked) == 2

    def jobs():
        with sqlite3.connect(tmp_path / "desk.db") as connection:
            return dict(connection.execute(
                "SELECT job.kind, job.state || ' ' || coalesce(length(stored_file.data), 0) "
                "FROM job LEFT JOIN stored_file ON stored_file.key = 'jobs/' || job.token "
                "WHERE job.token IN (?, ?)", asked).fetchall())
    assert jobs() == {"export": "queued 0", "pdf": "queued 0"}  # nobody has done them yet
    consumer = subprocess.Popen(flask + ["tasks", "--workers", "2"], cwd=ROOT,
                                env=on_the_real_clock(env),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while any(v.startswith("queued") or v.startswith("running") for v in jobs().values()) \
                and time.monotonic() < deadline:
            time.sleep(0.5)
        done = jobs()
        assert done["export"].startswith("done ") and int(done["export"].split()[1]) > 1000
        assert done["pdf"].startswith("done ") and int(done["pdf"].split()[1]) > 1000
        with sqlite3.connect(tmp_path / "desk.db") as connection:
            assert connection.execute("SELECT count(*) FROM stored_file "
                                      "WHERE key LIKE 'pdf-input/%'").fetchone() == (0,)
    finally:
        consumer.send_signal(signal.SIGINT)
        consumer.wait(timeout=60)

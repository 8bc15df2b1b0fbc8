"""Issue 23: the task consumer as `make run` starts it (`flask tasks`), on the embedded SQLite
queue: work enqueued by one process is done by the consumer, and SIGINT stops it cleanly."""
import os
import signal
import sqlite3
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_consumer_runs_what_the_web_process_queues(tmp_path):
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path}/desk.db",
               FRONTDESK_TASKS=f"sqlite:///{tmp_path}/tasks.db", SECRET_KEY="consumer-test")
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    consumer = subprocess.Popen(flask + ["tasks", "--workers", "1"], cwd=ROOT, env=env,
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

"""Serve the app (on a benchmark database) or the floor as deployed, on 127.0.0.1.

    python bench/serve.py app bench/data/large.db 5101
    python bench/serve.py app postgresql://me@127.0.0.1:5432/bench_large 5101
    python bench/serve.py floor - 5100

Deployed = gunicorn, WORKERS processes × THREADS threads (gthread): one process per core of the
2-core tablet server, a few threads each for requests that wait on the database or a PDF. The same
command serves production (see README): gunicorn -w 2 --threads 4 -b 127.0.0.1:5000 'app:create_app()'.
"""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

WORKERS, THREADS = 2, 4


def build(kind, database):
    if kind == "floor":
        from bench.floor import create_floor
        return create_floor()
    from app import create_app
    from models import db, schema
    if "://" not in database and not os.path.exists(database):
        raise SystemExit(f"no dataset at {database}")  # (SQLite would make an empty one)
    url = database if "://" in database else f"sqlite:///{database}"
    application = create_app({"DATABASE_URL": url,
                              "SECRET_KEY": "bench-secret",
                              # (bench/run.py times PDFs inline; bench/queued.py serves with
                              # the deployed wait, so that a queued sheet frees its thread)
                              "PDF_WAIT_SECONDS": float(os.environ.get(
                                  "BENCH_PDF_WAIT_SECONDS", 60))})
    with application.app_context(), db.connection_context():
        schema.upgrade()  # as `make run` does before serving
    return application


def main():
    from gunicorn.app.base import BaseApplication
    kind, database, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    queue = os.path.join(ROOT, "bench", "data", f"tasks-{port}.db")
    for stale in (queue, queue + "-wal", queue + "-shm"):
        if os.path.exists(stale):
            os.remove(stale)
    # The web workers and the consumer share this run's own queue (read when app is imported).
    os.environ["FRONTDESK_TASKS"] = f"sqlite:///{queue}"
    application = build(kind, database)

    class Server(BaseApplication):
        def load_config(self):
            for key, value in {"bind": f"127.0.0.1:{port}", "workers": WORKERS,
                               "threads": THREADS, "worker_class": "gthread",
                               "accesslog": None, "loglevel": "warning",
                               "keepalive": 30}.items():
                self.cfg.set(key, value)

        def load(self):
            return application

    consumer = None
    if kind == "app":  # as deployed: the task consumer beside the server (PDF jobs, exports)
        import commands
        url = database if "://" in database else f"sqlite:///{database}"
        # (No scheduled duties: they would write into the dataset while it is measured.)
        consumer = commands.start_consumer("--no-duties", env=dict(
            os.environ, DATABASE_URL=url, SECRET_KEY="bench-secret"))
    try:
        Server().run()
    finally:
        if consumer is not None:
            consumer.terminate()
            consumer.wait(30)


if __name__ == "__main__":
    main()

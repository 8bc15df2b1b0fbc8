"""Files every app server can serve: kept in the database (StoredFile) under a key.

Keys name what a file is: "documents/<random>.pdf" (an archive document), "logo", "imports/
<token>" (a spreadsheet waiting to be imported), "jobs/<token>" (what a job produced). Nothing
is read from or written to one server's disk, so a second app server behind the same database
serves the same files.
"""
import os

from models import StoredFile, now


def put(key, data, content_type="application/octet-stream"):
    """Keep `data` under `key`, replacing what was there (one statement: two servers writing
    the same key at once leave one row, the later one's)."""
    values = {"data": data, "size": len(data), "content_type": content_type, "updated_at": now()}
    StoredFile.insert(key=key, **values).on_conflict(
        conflict_target=[StoredFile.key], update=values).execute()


def get(key):
    """The StoredFile under `key` (.data, .content_type, .size), or None."""
    return StoredFile.get_or_none(StoredFile.key == key)


def exists(key):
    return StoredFile.select(StoredFile.id).where(StoredFile.key == key).exists()


def delete(key):
    StoredFile.delete().where(StoredFile.key == key).execute()


def adopt_folder(folder, prefix=""):
    """Move the files under `folder` (an older install kept uploads on disk) into the database,
    each under prefix + its path relative to the folder, then remove them from the disk."""
    moved = 0
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            key = prefix + os.path.relpath(path, folder).replace(os.sep, "/")
            with open(path, "rb") as handle:
                data = handle.read()
            if not exists(key):
                put(key, data)
            os.remove(path)
            moved += 1
    return moved

"""Archive documents: uploads checked by content and size, kept in the database, confidentiality."""
import os
import uuid

from models import Document, db
from models.i18n import lazy_gettext as _l
from services import audit, files

# What a file's first bytes must be, by the type we accept.
SIGNATURES = [(b"%PDF-", "application/pdf", ".pdf"), (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
              (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
              (b"PK\x03\x04", "application/zip", ".zip")]
OFFICE = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class UploadError(ValueError):
    """An upload the rules refuse; the message says why."""


def sniff(data, filename):
    """(content type, extension) judged from the bytes; Office files are zips named .docx/.xlsx."""
    for magic, content_type, extension in SIGNATURES:
        if data.startswith(magic):
            if extension == ".zip":
                named = os.path.splitext(filename or "")[1].lower()
                if named in OFFICE:
                    return OFFICE[named], named
                break
            return content_type, extension
    raise UploadError(_l("只能上传 PDF、PNG、JPEG 或 Word/Excel（docx、xlsx）文件"))


def display_name(filename):
    """The name to show: the last path part only, so '../../x' can never travel anywhere."""
    name = os.path.basename((filename or "").replace("\\", "/")).strip() or "file"
    return name[:200]


def store(customer, section, title, filename, data, max_bytes, actor):
    """Check an uploaded file and keep it, with its record, in one transaction."""
    if not data:
        raise UploadError(_l("文件是空的"))
    if len(data) > max_bytes:
        raise UploadError(_l("文件超过 %(mb)s MB", mb=max_bytes // (1024 * 1024)))
    content_type, extension = sniff(data, filename)
    stored_as = uuid.uuid4().hex + extension
    with db.atomic():
        files.put(key_of(stored_as), data, content_type)
        document = Document(customer=customer, section=section, title=title.strip()[:100],
                            filename=display_name(filename), content_type=content_type,
                            size=len(data), stored_as=stored_as, uploaded_by=actor.id)
        return audit.save(document, actor)


def key_of(stored_as):
    """The document's key among the stored files."""
    return f"documents/{stored_as}"


def may_open(section, role, settings):
    """Confidential sections only for the roles the settings allow."""
    if section not in settings["confidential_sections"]:
        return True
    return role in settings["confidential_roles"]

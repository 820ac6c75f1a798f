"""The Django side of DjangoInteropTests: a Django app's PrivateFile model on django-storages' S3Boto3Storage.

Run by the C# tests with Debian's python3-django-storages-boto3 (django-storages 1.13, Django 3.2, boto3 1.26), against
the bucket the test gives it. Each run is one step and prints one JSON object:

  interop.py save <original name> <path of the content> [<object_parameters as JSON>]
      Saves through the model's FileField, as a Django view does, and prints the column value read back from the
      table, the object's key and what django-storages stored with it.
  interop.py read <column value> [<download name>]
      Puts a column value (one Coffer saved) in a row and reads the file the way a Django app does: exists, size,
      listdir of its folder, open().read(), .url, and a URL with a download name (ResponseContentDisposition).

Settings come from the environment: COFFER_S3_ENDPOINT, COFFER_S3_ACCESS_KEY, COFFER_S3_SECRET_KEY, COFFER_S3_REGION
and COFFER_DJANGO_BUCKET.
"""

import base64
import json
import os
import posixpath
import sys

import django
from django.conf import settings

# No settings module: the settings a Django project using django-storages has, configured in place. The database
# is an in-memory SQLite one, only so that the column value is read from a real table.
settings.configure(
    INSTALLED_APPS=[],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    USE_TZ=True,
    AWS_ACCESS_KEY_ID=os.environ["COFFER_S3_ACCESS_KEY"],
    AWS_SECRET_ACCESS_KEY=os.environ["COFFER_S3_SECRET_KEY"],
    AWS_STORAGE_BUCKET_NAME=os.environ["COFFER_DJANGO_BUCKET"],
    AWS_S3_ENDPOINT_URL=os.environ["COFFER_S3_ENDPOINT"],
    AWS_S3_REGION_NAME=os.environ.get("COFFER_S3_REGION", "us-east-1"),
    # RGW on an IP address: the bucket cannot be part of the host name, and it wants SigV4.
    AWS_S3_ADDRESSING_STYLE="path",
    AWS_S3_SIGNATURE_VERSION="s3v4",
)
django.setup()

from django.core.files.base import ContentFile  # noqa: E402 (needs the settings above)
from django.db import connection, models  # noqa: E402
from storages.backends.s3boto3 import S3Boto3Storage  # noqa: E402


class PrivateMediaStorage(S3Boto3Storage):
    location = "private"
    default_acl = "private"
    file_overwrite = False
    custom_domain = False


def private_storage():
    # object_parameters of the `save` step; the model's storage is rebuilt per run anyway.
    extra = json.loads(sys.argv[4]) if sys.argv[1] == "save" and len(sys.argv) > 4 else {}
    return PrivateMediaStorage(object_parameters=extra) if extra else PrivateMediaStorage()


class PrivateFile(models.Model):
    file = models.FileField(storage=private_storage, upload_to="files")  # varchar(100)

    class Meta:
        app_label = "interop"


def column_value(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT file FROM interop_privatefile WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def save(original_name, content_path):
    with open(content_path, "rb") as source:
        row = PrivateFile()
        row.file.save(original_name, ContentFile(source.read()), save=True)
    name = column_value(row.pk)
    storage = row.file.storage
    obj = storage.bucket.Object(storage._normalize_name(name))
    return {
        "name": name,
        "key": obj.key,
        "content_type": obj.content_type,
        "content_encoding": obj.content_encoding,
        "content_disposition": obj.content_disposition,
    }


def read(name, download_name=None):
    row = PrivateFile(file=name)
    row.save()
    row = PrivateFile.objects.get(pk=row.pk)
    storage = row.file.storage
    folder = posixpath.dirname(row.file.name)
    directories, files = storage.listdir(folder)
    with row.file.open("rb") as opened:
        content = opened.read()
    result = {
        "name": column_value(row.pk),
        "exists": storage.exists(row.file.name),
        "size": row.file.size,
        "listdir": {"folder": folder, "directories": directories, "files": files},
        "content_base64": base64.b64encode(content).decode("ascii"),
        "url": row.file.url,
    }
    if download_name is not None:
        # django-storages has no download-name setting: the caller builds the header and boto3 signs it.
        disposition = 'attachment; filename="%s"' % download_name
        result["download_url"] = storage.url(row.file.name, parameters={"ResponseContentDisposition": disposition})
    return result


def main():
    with connection.schema_editor() as editor:
        editor.create_model(PrivateFile)
    if sys.argv[1] == "save":
        result = save(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "read":
        result = read(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        raise SystemExit("usage: interop.py save <name> <content path> [<object_parameters>] | read <name> [<download name>]")
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()

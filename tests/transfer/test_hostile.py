"""A fixed corpus of hostile uploads: each gets a clean answer, never a 500, and nothing half-saved."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Person
from transfer.models import ImportJob

pytestmark = pytest.mark.django_db

CARD = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:山田;太郎;;;\r\nFN:山田 太郎\r\nEND:VCARD\r\n"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("contacts.vcf", CARD)
    return buffer.getvalue()


def _upload(client, name: str, data: bytes):
    return client.post(
        reverse("transfer:import_upload"), {"file": SimpleUploadedFile(name, data)}, HTTP_ACCEPT_LANGUAGE="en"
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("nul.vcf", b"\x00" * 4096, "not a text file"),
        ("nul-in-card.vcf", CARD.replace("山田 太郎", "山田\x00太郎").encode(), None),
        ("archive.vcf", _zip(), "not a text file"),
        ("archive.csv", _zip(), "not a text file"),
        ("lone-bom.vcf", b"\xef\xbb\xbf", "empty"),
        ("only-begin.vcf", b"BEGIN:VCARD\r\n" * 50, None),
        (
            "deep-fold.vcf",
            (CARD.replace("END:VCARD", "NOTE:" + "x" * 10 + "\r\n" + " y" * 20000 + "\r\nEND:VCARD")).encode(),
            None,
        ),
    ],
)
def test_hostile_files_get_a_clean_answer_and_save_nothing(auth_client, user, name, data, message):
    response = _upload(auth_client, name, data)
    assert response.status_code in (200, 302, 413)
    assert not Person.objects.exists()  # an upload only previews: nothing is saved before the confirm
    if message is not None:
        assert response.status_code == 200 and message in response.text
        assert not ImportJob.objects.exists()


def test_a_utf16_vcard_is_read_or_refused_cleanly(auth_client, user):
    response = _upload(auth_client, "utf16.vcf", CARD.encode("utf-16"))
    assert response.status_code in (200, 302)
    if response.status_code == 302:  # read: the preview names the person correctly
        assert "山田" in auth_client.get(response.url).text
    else:
        assert "field__error" in response.text or "form-errors" in response.text
    assert not Person.objects.exists()


def test_html_and_formula_cells_are_kept_as_text_and_neutralised_on_export(auth_client, user):
    csv = (
        "First Name,Last Name,Labels,E-mail 1 - Value,Notes\r\n"
        '"<script>alert(1)</script>",太郎,,evil@example.com,"=HYPERLINK(""http://evil"",""x"")"\r\n'
    ).encode()
    response = _upload(auth_client, "contacts.csv", csv)
    assert response.status_code == 302
    preview = auth_client.get(response.url).text
    assert "<script>alert(1)</script>" not in preview and "&lt;script&gt;" in preview
    job = ImportJob.objects.get()
    auth_client.post(reverse("transfer:import_confirm", args=[job.pk]), {"duplicates": "skip"})
    person = Person.objects.get()
    assert "<script>" in person.display_name  # stored as typed, as text
    page = auth_client.get(person.get_absolute_url()).text
    assert "<script>alert(1)</script>" not in page
    export = b"".join(auth_client.get(reverse("transfer:export_download", args=["csv"])).streaming_content)
    assert "'=HYPERLINK" in export.decode("utf-8-sig")

"""Card photos: every kind of bad file gets a clear message and stores nothing; good ones lose their metadata."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cards import images
from cards.models import CardImage, CardScan
from tests.factories import make_event

from .conftest import card_bytes, png


def _jpeg_with_gps() -> bytes:
    image = Image.open(io.BytesIO(card_bytes()))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (35.0, 41.0, 0.0)}  # GPS latitude
    exif[0x0112] = 6  # orientation: turned 90°
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_is_re_encoded_without_exif_and_turned_upright():
    original = Image.open(io.BytesIO(_jpeg_with_gps()))
    assert original.getexif().get(0x0112) == 6
    photo = images.load(_jpeg_with_gps())
    stored = Image.open(io.BytesIO(photo.data))
    assert stored.format == "JPEG"
    assert not stored.getexif() and "exif" not in stored.info
    assert b"PhoneMaker" not in photo.data
    # Orientation 6 is applied to the pixels: the landscape card is now portrait.
    assert (stored.width, stored.height) == (original.height, original.width)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 not a picture", "not an image"),
        (b"", "empty"),
        (card_bytes()[:5000], "damaged or cut short"),
    ],
    ids=["not-an-image", "empty", "truncated"],
)
def test_unreadable_files_are_refused_with_a_reason(data, message):
    with pytest.raises(images.ImageRejected, match=message):
        images.load(data)


def test_a_decompression_bomb_is_refused():
    # 9000 x 9000 = 81 megapixels in a few kilobytes.
    with pytest.raises(images.ImageRejected, match="40 megapixels"):
        images.load(png(size=(9000, 9000), mode="1", color=1))


def test_more_than_40_megapixels_is_refused():
    with pytest.raises(images.ImageRejected, match="40 megapixels"):
        images.load(png(size=(7000, 6000), mode="L", color=255))


def test_more_than_20_mb_is_refused():
    with pytest.raises(images.ImageRejected, match="20 MB"):
        images.load(b"\xff" * (images.MAX_BYTES + 1))


def test_an_animated_image_is_refused():
    frames = [Image.new("RGB", (200, 120), c) for c in ((255, 0, 0), (0, 255, 0))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    with pytest.raises(images.ImageRejected, match="Animated"):
        images.load(out.getvalue())


def test_cmyk_and_transparent_png_become_plain_rgb():
    out = io.BytesIO()
    Image.new("CMYK", (300, 200), (0, 0, 0, 0)).save(out, "JPEG")
    assert Image.open(io.BytesIO(images.load(out.getvalue()).data)).mode == "RGB"
    clear = images.load(png(mode="RGBA", color=(0, 0, 0, 0)))
    # Transparent pixels are laid on white, not black.
    assert Image.open(io.BytesIO(clear.data)).getpixel((10, 10)) >= (250, 250, 250)


def test_heic_photos_are_read():
    pillow_heif = pytest.importorskip("pillow_heif")
    out = io.BytesIO()
    pillow_heif.from_pillow(Image.open(io.BytesIO(card_bytes()))).save(out, quality=70)
    photo = images.load(out.getvalue())
    assert Image.open(io.BytesIO(photo.data)).format == "JPEG"


def test_an_upload_of_good_and_bad_files_keeps_the_good_and_names_the_bad(
    auth_client, user, django_capture_on_commit_callbacks
):
    event = make_event(owner=user)
    files = [
        SimpleUploadedFile("card.jpg", card_bytes(), content_type="image/jpeg"),
        SimpleUploadedFile("notes.pdf", b"%PDF-1.4", content_type="application/pdf"),
    ]
    with django_capture_on_commit_callbacks() as callbacks:
        response = auth_client.post(
            reverse("cards:scan_upload", args=[event.pk]),
            {"photos": files},
            HTTP_HX_REQUEST="true",
            HTTP_ACCEPT_LANGUAGE="ja",
        )
    assert response.status_code == 200
    text = response.content.decode()
    assert "notes.pdf" in text and "読み取れる画像ではありません" in text
    assert CardScan.objects.filter(owner=user).count() == 1
    assert CardImage.objects.filter(owner=user).count() == 1
    assert len(callbacks) == 1  # one reading queued, after the commit


def test_an_upload_with_no_file_says_so_and_stores_nothing(auth_client, user):
    event = make_event(owner=user)
    response = auth_client.post(reverse("cards:scan_upload", args=[event.pk]), {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert "Choose at least one photo" in response.content.decode()
    assert not CardScan.objects.exists()


def test_uploading_to_another_users_event_is_404(auth_client, other_user):
    event = make_event(owner=other_user)
    upload = SimpleUploadedFile("card.jpg", card_bytes(), content_type="image/jpeg")
    response = auth_client.post(reverse("cards:scan_upload", args=[event.pk]), {"photos": [upload]})
    assert response.status_code == 404
    assert not CardScan.objects.exists()

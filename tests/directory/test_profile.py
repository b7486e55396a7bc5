"""Members edit their own profile at /directory/me/; photos are checked, shrunk and stripped before storing."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from directory.models import Visibility


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def profile_data(region, service_areas, **overrides):
    data = {
        "first_name": "Fiona", "last_name": "Marsh-Hale", "job_role": "practice_manager", "job_title": "Practice manager",
        "organisations": [region["practice"].pk, region["cluster"].pk],
        "specialties": [service_areas["Prescribing"].pk], "interests": [service_areas["Musculoskeletal"].pk],
        "bio": "Leads the practice's MSK pathway work.", "phone": "01206 123456",
        "email_visibility": Visibility.ORGANISATION, "phone_visibility": Visibility.ADMINS,
    }
    data.update(overrides)
    return data


def jpeg_with_exif(size=(1200, 900)) -> bytes:
    image = Image.new("RGB", size, (20, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {2: (51.0, 53.0, 0.0)}  # GPS latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def stored_files(media_root) -> list:
    folder = media_root / "directory" / "photos"
    return list(folder.iterdir()) if folder.exists() else []


def test_me_page_shows_the_members_own_profile_form(member, client_for):
    response = client_for(member).get(reverse("directory:me"))
    assert response.status_code == 200
    assert 'value="Fiona"' in response.content.decode()
    assert "Who can see your telephone number" in response.content.decode()


def test_member_saves_profile_fields_and_visibilities(member, client_for, region, service_areas):
    response = client_for(member).post(reverse("directory:me"), profile_data(region, service_areas))
    assert response.status_code == 302
    member.refresh_from_db()
    member.user.refresh_from_db()
    assert member.user.last_name == "Marsh-Hale"
    assert member.phone == "01206 123456"
    assert member.email_visibility == Visibility.ORGANISATION
    assert member.phone_visibility == Visibility.ADMINS
    assert set(member.organisations.all()) == {region["practice"], region["cluster"]}
    assert list(member.specialties.all()) == [service_areas["Prescribing"]]
    assert list(member.interests.all()) == [service_areas["Musculoskeletal"]]


def test_profile_with_an_unknown_visibility_is_refused_and_nothing_changes(member, client_for, region, service_areas):
    response = client_for(member).post(reverse("directory:me"), profile_data(region, service_areas, phone_visibility="everyone"))
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.phone == ""


def test_photo_is_re_encoded_shrunk_and_stripped_of_exif(member, client_for, region, service_areas, media_in_tmp):
    upload = SimpleUploadedFile("me.jpg", jpeg_with_exif(), content_type="image/jpeg")
    response = client_for(member).post(reverse("directory:me"), {**profile_data(region, service_areas), "photo": upload})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.photo.name.startswith("directory/photos/")
    with Image.open(member.photo.path) as saved:
        assert saved.format == "JPEG"
        assert max(saved.size) <= 600
        assert len(saved.getexif()) == 0
    raw = open(member.photo.path, "rb").read()
    assert b"SecretCam" not in raw


def test_png_photo_is_accepted_and_stored_as_jpeg(member, client_for, region, service_areas):
    out = io.BytesIO()
    Image.new("RGBA", (100, 80), (255, 0, 0, 128)).save(out, format="PNG")
    upload = SimpleUploadedFile("me.png", out.getvalue(), content_type="image/png")
    client_for(member).post(reverse("directory:me"), {**profile_data(region, service_areas), "photo": upload})
    member.refresh_from_db()
    assert member.photo.name.endswith(".jpg")
    assert (member.photo_width, member.photo_height) == (100, 80)


def test_non_image_upload_gets_a_clear_error_and_nothing_is_stored(member, client_for, region, service_areas, media_in_tmp):
    upload = SimpleUploadedFile("me.jpg", b"%PDF-1.4 not a picture", content_type="image/jpeg")
    response = client_for(member).post(reverse("directory:me"), {**profile_data(region, service_areas), "photo": upload})
    assert response.status_code == 200
    assert "not a photo we can read" in response.content.decode()
    member.refresh_from_db()
    assert not member.photo
    assert member.phone == ""  # the rest of the form was not saved either
    assert stored_files(media_in_tmp) == []


def test_decompression_bomb_is_refused_without_storing_anything(member, client_for, region, service_areas, media_in_tmp, settings):
    settings.DIRECTORY_PHOTO_MAX_PIXELS = 1_000_000
    out = io.BytesIO()
    # A tiny file that claims 4000 × 4000 pixels: it compresses to almost nothing.
    Image.new("1", (4000, 4000)).save(out, format="PNG", optimize=True)
    assert len(out.getvalue()) < 10_000
    upload = SimpleUploadedFile("bomb.png", out.getvalue(), content_type="image/png")
    response = client_for(member).post(reverse("directory:me"), {**profile_data(region, service_areas), "photo": upload})
    assert "too large" in response.content.decode()
    member.refresh_from_db()
    assert not member.photo
    assert stored_files(media_in_tmp) == []


def test_pillow_decompression_bomb_error_is_refused(member, client_for, region, service_areas, media_in_tmp, settings, monkeypatch):
    # Pillow's own limit (outside our code) trips before ours here.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)
    out = io.BytesIO()
    Image.new("1", (1000, 1000)).save(out, format="PNG")
    upload = SimpleUploadedFile("bomb.png", out.getvalue(), content_type="image/png")
    response = client_for(member).post(reverse("directory:me"), {**profile_data(region, service_areas), "photo": upload})
    assert "too many pixels" in response.content.decode()
    assert stored_files(media_in_tmp) == []


def test_oversized_photo_file_is_refused(member, client_for, region, service_areas, media_in_tmp, settings):
    settings.DIRECTORY_PHOTO_MAX_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (1024 * 1024 + 10), content_type="image/jpeg")
    response = client_for(member).post(reverse("directory:me"), {**profile_data(region, service_areas), "photo": upload})
    assert "smaller than 1 MB" in response.content.decode()
    assert stored_files(media_in_tmp) == []


def test_new_photo_replaces_the_old_file(member, client_for, region, service_areas, media_in_tmp, django_capture_on_commit_callbacks):
    client = client_for(member)
    for _ in range(2):
        upload = SimpleUploadedFile("me.jpg", jpeg_with_exif((300, 300)), content_type="image/jpeg")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("directory:me"), {**profile_data(region, service_areas), "photo": upload})
    member.refresh_from_db()
    assert [p.name for p in stored_files(media_in_tmp)] == [member.photo.name.rsplit("/", 1)[-1]]


def test_profile_page_shows_photo_with_alt_text(member, other_org_member, client_for, region, service_areas):
    upload = SimpleUploadedFile("me.jpg", jpeg_with_exif((300, 300)), content_type="image/jpeg")
    client_for(member).post(reverse("directory:me"), {**profile_data(region, service_areas), "photo": upload})
    text = client_for(other_org_member).get(reverse("directory:member", args=[member.pk])).content.decode()
    assert 'alt="Photo of Fiona Marsh-Hale"' in text

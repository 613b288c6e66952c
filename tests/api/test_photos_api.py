"""Photos through the API: upload cleaning, charting on a photo, before/after, audit, privacy."""

from __future__ import annotations

import datetime as dt
import io
import logging

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from tests.api.conftest import API, NOW, World, assert_error, ok, signed_visit
from tests.api.photo_upload import portrait_jpeg, upload
from toxplan.db.engine import unit_of_work
from toxplan.db.models import AuditEvent


@pytest.fixture(scope="module")
def visit(world: World):  # type: ignore[no-untyped-def]
    return signed_visit(world.clinic["injector"])


def _exif_jpeg() -> bytes:
    """The portrait lying on its side, with an EXIF orientation tag that stands it up and a GPS position."""
    image = Image.open(io.BytesIO(portrait_jpeg())).rotate(90, expand=True)
    exif = Image.Exif()
    exif[0x0112] = 8  # orientation: rotate 90° clockwise to view
    exif[0x010F] = "CameraMaker"
    gps = {1: "N", 2: (52.0, 31.0, 12.0), 3: "E", 4: (13.0, 24.0, 18.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def test_an_upload_is_oriented_and_stripped_of_exif_and_gps(world: World, visit) -> None:  # type: ignore[no-untyped-def]
    client = world.clinic["injector"]
    original = _exif_jpeg()
    assert b"CameraMaker" in original and Image.open(io.BytesIO(original)).getexif().get(0x8825)
    photo = ok(upload(client, visit.patient_id, original, view="front_rest"), 201)
    assert (photo["width"], photo["height"], photo["face_found"]) == (512, 512, True)
    answer = client.get(f"{API}/photos/{photo['id']}/image")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["cache-control"] == "private, no-store"
    stored = Image.open(io.BytesIO(answer.content))
    assert stored.size == (512, 512)  # the orientation was applied, then dropped
    assert not stored.getexif()
    assert b"CameraMaker" not in answer.content and b"Exif" not in answer.content
    assert set(stored.info) <= {"jfif", "jfif_version", "jfif_unit", "jfif_density", "progressive", "progression"}
    thumb = Image.open(io.BytesIO(client.get(f"{API}/photos/{photo['id']}/thumbnail").content))
    assert max(thumb.size) == 320


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"GIF89a not really", "not an image that can be read"),
        (b"", "the file is empty"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 200, "not an image that can be read"),
    ],
    ids=["not an image", "empty", "a broken JPEG"],
)
def test_what_is_not_a_photo_is_refused_naming_the_field(world: World, visit, content: bytes, message: str) -> None:  # type: ignore[no-untyped-def]
    answer = world.clinic["injector"].post(
        f"{API}/patients/{visit.patient_id}/photos",
        files={"image": ("photo.jpg", content, "image/jpeg")},
        data={"view": "front_rest"},
    )
    assert message in assert_error(answer, 422, "invalid_input", "image")["message"]


def test_a_tiny_image_and_an_unknown_view_are_refused(world: World, visit) -> None:  # type: ignore[no-untyped-def]
    client = world.clinic["injector"]
    out = io.BytesIO()
    Image.new("RGB", (100, 120), "white").save(out, "PNG")
    error = assert_error(upload(client, visit.patient_id, out.getvalue()), 422, "invalid_input", "image")
    assert "smaller than 240 pixels" in error["message"]
    error = assert_error(upload(client, visit.patient_id, view="back"), 422, "invalid_input", "view")
    assert "front_rest" in error["message"]
    future = (NOW + dt.timedelta(days=2)).isoformat()
    assert_error(upload(client, visit.patient_id, taken_at=future), 422, "invalid_input", "taken_at")


def test_the_chart_on_a_photo_places_sites_zones_and_sides(world: World, visit) -> None:  # type: ignore[no-untyped-def]
    client = world.clinic["injector"]
    photo = ok(upload(client, visit.patient_id), 201)
    chart = ok(client.get(f"{API}/photos/{photo['id']}/chart"))
    assert chart["problem"] is None
    assert chart["image"] == {"width": 512, "height": 512}
    assert {"procerus", "corrugator_medial_left", "frontalis_lower_midline"} <= set(chart["sites"])
    assert "platysma_medial_upper_left" not in chart["sites"]  # the neck is not on a face photo
    # the patient's right is on the image's left of an unmirrored portrait
    assert chart["sides"]["right"]["x_px"] < chart["landmarks"]["pupil_right"]["x_px"]
    assert chart["sides"]["left"]["x_px"] > chart["landmarks"]["pupil_left"]["x_px"]
    zones = {z["id"]: z for z in chart["zones"]}
    assert zones["upper_eyelid_levator"]["polygons"] and zones["upper_eyelid_levator"]["drawn"]
    # a tap on a placed site maps back onto that site's template position
    procerus = chart["sites"]["procerus"]
    template = ok(client.get(f"{API}/kb/sites"))
    at = next(s["position"] for s in template if s["id"] == "procerus")
    found = ok(client.post(f"{API}/photos/{photo['id']}/locate", json={"points": [procerus]}))["points"][0]
    assert found["view"] == "front" and found["on_face"]
    assert (found["x_mm"], found["y_mm"]) == pytest.approx((float(at["x_mm"]), float(at["y_mm"])), abs=0.3)
    there = {"points": [{"x_mm": found["x_mm"], "y_mm": found["y_mm"]}]}
    back = ok(client.post(f"{API}/photos/{photo['id']}/project", json=there))
    assert back["points"][0]["x_px"] == pytest.approx(procerus["x_px"], abs=1.0)
    assert back["points"][0]["y_px"] == pytest.approx(procerus["y_px"], abs=1.0)
    pupil = chart["landmarks"]["pupil_left"]
    eye = ok(client.post(f"{API}/photos/{photo['id']}/locate", json={"points": [pupil]}))["points"][0]
    assert {"upper_eyelid_levator", "lower_eyelid"} & set(eye["danger_zones"])


def test_a_profile_or_a_faceless_photo_falls_back_to_the_template(world: World, visit) -> None:  # type: ignore[no-untyped-def]
    client = world.clinic["injector"]
    profile = ok(upload(client, visit.patient_id, view="profile_left"), 201)
    answer = ok(client.get(f"{API}/photos/{profile['id']}/chart"))
    assert answer == {"image": {"width": 512, "height": 512}, "problem": answer["problem"]}
    assert "frontal photos only" in answer["problem"]
    wall = io.BytesIO()
    Image.fromarray(np.full((400, 300, 3), 200, dtype=np.uint8)).save(wall, "JPEG")
    blank = ok(upload(client, visit.patient_id, wall.getvalue()), 201)
    assert blank["face_found"] is False
    assert ok(client.get(f"{API}/photos/{blank['id']}/chart"))["problem"] == "no face was found in this photo"
    error = assert_error(
        client.post(f"{API}/photos/{blank['id']}/locate", json={"points": [{"x_px": 1, "y_px": 1}]}),
        422,
        "invalid_input",
        "photo_id",
    )
    assert "no face" in error["message"]


def test_a_head_turned_too_far_is_said_plainly(world: World, visit) -> None:  # type: ignore[no-untyped-def]
    client = world.clinic["injector"]
    tilted = ok(upload(client, visit.patient_id, portrait_jpeg(turn=25)), 201)
    problem = ok(client.get(f"{API}/photos/{tilted['id']}/chart"))["problem"]
    assert problem.startswith("the head is tilted sideways") and "limit 15°" in problem


def test_before_and_after_are_aligned_with_the_treatment_between(world: World, visit) -> None:  # type: ignore[no-untyped-def]
    client = world.clinic["injector"]
    before = ok(upload(client, visit.patient_id, taken_at=(NOW - dt.timedelta(days=1)).isoformat()), 201)
    after = ok(
        upload(
            client,
            visit.patient_id,
            portrait_jpeg(turn=8),
            time_point="review_2_weeks",
            taken_at=NOW.isoformat(),
        ),
        201,
    )
    pair = ok(client.get(f"{API}/photos/{after['id']}/compare", params={"after": before["id"]}))
    assert (pair["before"]["id"], pair["after"]["id"]) == (before["id"], after["id"])  # in time order
    assert visit.treatment_id in {t["id"] for t in pair["treatments"]}
    a, b, *_ = pair["after_to_before"]
    assert np.hypot(a, b) == pytest.approx(1.0, abs=0.03)  # same scale
    assert np.degrees(np.arctan2(b, a)) == pytest.approx(8.0, abs=1.5)  # turned back by the 8° the photo was turned
    profile = ok(upload(client, visit.patient_id, view="profile_right"), 201)
    error = assert_error(
        client.get(f"{API}/photos/{before['id']}/compare", params={"after": profile["id"]}),
        422,
        "invalid_input",
        "after",
    )
    assert "same view" in error["message"]


def test_every_look_at_a_photo_is_audited_and_no_image_is_logged(
    world: World,
    visit,
    caplog: pytest.LogCaptureFixture,  # type: ignore[no-untyped-def]
) -> None:
    client = world.clinic["medical_director"]
    caplog.set_level(logging.DEBUG)
    photo = ok(upload(client, visit.patient_id), 201)
    for part in ("", "/image", "/thumbnail", "/chart"):
        ok_status = client.get(f"{API}/photos/{photo['id']}{part}").status_code
        assert ok_status == 200
    ok(client.get(f"{API}/patients/{visit.patient_id}/photos"))
    with unit_of_work(world.app.state.sessions) as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.entity_id.in_([photo["id"], visit.patient_id]))
        ).all()
        seen = [
            (e.action, e.entity, e.detail) for e in events if e.user_id == world.clinic.user_ids["medical_director"]
        ]
    assert ("create", "photo", "front_rest, face found") in seen
    for detail in ("details", "image", "thumbnail", "chart"):
        assert ("read", "photo", detail) in seen
    assert any(entity == "photo_list" for _, entity, _ in seen)
    logged = caplog.text
    assert "JFIF" not in logged and "\\xff\\xd8" not in logged

"""Follow-up reviews over the API and on the treatment page: a second review adds a version."""

from __future__ import annotations

from tests.api.conftest import API, TODAY, World, ok, signed_visit


def test_reviews_are_listed_as_versions_and_the_page_shows_them(world: World) -> None:
    injector, director = world.clinic["injector"], world.clinic["medical_director"]
    visit = signed_visit(injector)
    url = f"{API}/follow-ups/{visit.follow_up_id}"
    ok(injector.post(url, json={"reviewed_on": TODAY.isoformat(), "fws_max": 2, "note": "First look"}))
    latest = ok(director.post(url, json={"reviewed_on": TODAY.isoformat(), "fws_max": 0, "note": "Second look"}))
    assert (latest["fws_max"], latest["note"]) == (0, "Second look")

    versions = ok(injector.get(f"{url}/reviews"))
    assert [(v["version"], v["fws_max"], v["note"]) for v in versions] == [(1, 2, "First look"), (2, 0, "Second look")]
    assert [v["recorded_by"] for v in versions] == [
        world.clinic.user_ids["injector"],
        world.clinic.user_ids["medical_director"],
    ]
    assert world.other["injector"].get(f"{url}/reviews").status_code == 404  # another clinic's follow-up

    page = injector.get(f"/treatments/{visit.treatment_id}", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "2 versions of this review" in page.text and "First look" in page.text and "Second look" in page.text

"""One field-path format for every error's ``field``: ``treatment.injections[2].units``."""

from __future__ import annotations

import datetime as dt

import pytest

from toxplan.domain.requests import parse_check_request
from toxplan.errors import InvalidInput
from toxplan.primitives.fields import field_path
from toxplan.services.schemas import TreatmentCreate, parse


@pytest.mark.parametrize(
    ("location", "path"),
    [
        (("treatment", "injections", 2, "units"), "treatment.injections[2].units"),
        (("patient", "conditions", 0, "constrained-str"), "patient.conditions[0]"),  # a union branch
        (("patient", "conditions", 0, "CodedEntry", "code"), "patient.conditions[0].code"),
        (("limits", 0, "site_max", "max_units"), "limits[0].site_max.max_units"),
        ((), ""),
    ],
)
def test_a_location_becomes_one_path(location: tuple[int | str, ...], path: str) -> None:
    assert field_path(location) == path


def test_the_check_request_and_the_services_write_it_alike() -> None:
    shot = {"indication": "glabellar_lines", "site": "procerus", "units": -4}
    with pytest.raises(InvalidInput) as request:
        parse_check_request({"treatment": {"product": "botox", "injections": [shot]}}, today=dt.date(2026, 11, 25))
    assert request.value.field == "treatment.injections[0].units"
    signing = {"patient_id": "p", "lot_id": "l", "visit_at": "2026-11-25T10:00:00+00:00", "injections": [shot]}
    with pytest.raises(InvalidInput) as service:
        parse(TreatmentCreate, signing)
    assert service.value.field == "injections[0].units"

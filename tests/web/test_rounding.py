"""One rounding rule from the chart to the database: the chart's ``decimal.js`` and the
server's ``primitives.numbers.round_half_up`` give the same digits for every value (ties away
from zero, worked on decimal digits), and what the chart posts reaches the record unchanged."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from tests.web import seed as seeding
from tests.web.conftest import Login
from tests.web.test_chart_page import sign
from toxplan.db.repositories import treatments as repo
from toxplan.primitives.numbers import MM_STEP, UNITS_STEP, round_half_up

DECIMAL_JS = Path(__file__).resolve().parents[2] / "src" / "toxplan" / "web" / "static" / "decimal.js"
CASES = [
    ("2.45", 1, "2.5"),
    ("-2.45", 1, "-2.5"),
    ("2.44999", 1, "2.4"),
    ("1.0005", 3, "1.001"),
    ("1.0004999", 3, "1"),
    ("0.30000000000000004", 3, "0.3"),
    ("9.9995", 3, "10"),
    ("-0.04", 1, "0"),
    ("-0.05", 1, "-0.1"),
    ("2.675", 2, "2.68"),  # 2.675 as a binary float is below 2.675: rounding floats would give 2.67
    ("12.5", 0, "13"),
    ("4", 3, "4"),
]


def js_round(values: list[tuple[str, int]]) -> list[str]:
    """Round each value in Node with the chart's own file; the results as JSON number texts."""
    node = shutil.which("node")
    if node is None:
        reason = "Node.js runs the chart's decimal.js in this test (Debian package nodejs)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Node.js is required in CI: {reason}")
        pytest.skip(reason)
    script = (
        f"const D = require({json.dumps(str(DECIMAL_JS))});"
        "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(cases.map(([v, p]) => JSON.stringify(D.round(v, p)))));"
    )
    done = subprocess.run([node, "-e", script], input=json.dumps(values), capture_output=True, text=True, check=True)
    found: list[str] = json.loads(done.stdout)
    return found


def python_round(text: str, places: int) -> Decimal:
    return round_half_up(Decimal(text), Decimal(1).scaleb(-places))


def test_the_worked_cases_round_alike_in_the_chart_and_on_the_server() -> None:
    got = js_round([(text, places) for text, places, _ in CASES])
    for (text, places, expected), js in zip(CASES, got, strict=True):
        assert python_round(text, places) == Decimal(expected), text
        assert Decimal(js) == Decimal(expected), (text, js)


@settings(max_examples=15, deadline=None)  # each example runs Node once, on many values
@given(st.lists(st.tuples(st.decimals(-1000, 1000, places=6, allow_nan=False), st.integers(0, 4)), min_size=20))
def test_any_value_rounds_alike_in_the_chart_and_on_the_server(values: list[tuple[Decimal, int]]) -> None:
    texts = [(format(value, "f"), places) for value, places in values]
    got = js_round(texts)
    for (text, places), js in zip(texts, got, strict=True):
        assert Decimal(js) == python_round(text, places), (text, places, js)


def test_the_steps_are_the_records_precision() -> None:
    assert Decimal("0.001") == UNITS_STEP and Decimal("0.1") == MM_STEP
    assert round_half_up(Decimal("-2.45"), MM_STEP) == Decimal("-2.5")


def test_the_sign_form_reads_numbers_as_decimals() -> None:
    from toxplan.web.routes.chart import _plan  # noqa: PLC0415 - the route's own reader

    units = _plan('{"injections": [{"units": 2.675, "position": {"x_mm": -31.45}}]}')["injections"][0]
    assert units["units"] == Decimal("2.675") and isinstance(units["units"], Decimal)
    assert units["position"]["x_mm"] == Decimal("-31.45")


def test_units_and_positions_posted_by_the_chart_reach_the_record_unchanged(
    login: Login, seeded: seeding.Seeded, factory: sessionmaker[Session]
) -> None:
    injector = login("injector")
    injector.get(f"/patients/{seeded.patient_id}/plan")
    shots = [
        {"indication": "glabellar_lines", "site": "procerus", "units": 2.675},
        {"indication": "glabellar_lines", "position": {"x_mm": -8.1, "y_mm": 40.3, "view": "front"}, "units": 1.005},
    ]
    body = {"lot_id": seeded.lot_id, "reconstitution_id": seeded.reconstitution_id, "injections": shots}
    page = sign(injector, seeded, body)
    assert "Treatment signed and recorded." in page.text, page.text[-2000:]
    with factory() as session:
        (treatment,) = repo.for_patient(session, seeded.patient_id)
        stored = repo.injections(session, treatment.id)
    assert [i.units for i in stored] == [Decimal("2.675"), Decimal("1.005")]
    assert (stored[1].x_mm, stored[1].y_mm) == (Decimal("-8.1"), Decimal("40.3"))
    assert treatment.total_units == Decimal("3.680")

"""The clinic-day migrations keep what was stored: draws for treatments that named their vial,
and the append-only guards of signed records through SQLite's table rebuilds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from toxplan.db.engine import make_engine
from toxplan.db.migrate import upgrade


def test_existing_treatments_draw_from_their_vial_and_stay_append_only(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0003")
    now = dt.datetime(2026, 11, 20, 10, 0)
    with engine.begin() as c:
        c.execute(text("INSERT INTO clinics (id, name, created_at) VALUES ('c', 'Old', :t)"), {"t": now})
        c.execute(
            text(
                "INSERT INTO users (id, clinic_id, name, email, role, active, created_at) "
                "VALUES ('u', 'c', 'Nurse', 'n@x.org', 'injector', 1, :t)"
            ),
            {"t": now},
        )
        c.execute(
            text(
                "INSERT INTO patients (id, clinic_id, given_name, family_name, birth_date, sex, created_at) "
                "VALUES ('p', 'c', 'Ana', 'Silva', '1986-03-14', 'female', :t)"
            ),
            {"t": now},
        )
        c.execute(
            text(
                "INSERT INTO lots (id, clinic_id, product, lot_number, expiry_date, vial_units, received_at) "
                "VALUES ('l', 'c', 'onabotulinumtoxina', 'A1', '2027-01-01', 100, :t)"
            ),
            {"t": now},
        )
        c.execute(
            text(
                "INSERT INTO reconstitutions (id, clinic_id, lot_id, diluent_ml, reconstituted_at, by_user_id) "
                "VALUES ('r', 'c', 'l', 2.5, :t, 'u')"
            ),
            {"t": now},
        )
        c.execute(
            text(
                "INSERT INTO treatments (id, clinic_id, patient_id, injector_id, visit_at, product, lot_id, "
                "reconstitution_id, vial_units, diluent_ml, total_units, knowledge_version, signed_at) "
                "VALUES ('t', 'c', 'p', 'u', :t, 'onabotulinumtoxina', 'l', 'r', 100, 2.5, 20, 'old', :t)"
            ),
            {"t": now},
        )
    upgrade(engine)
    with engine.connect() as c:
        draws = c.execute(text("SELECT reconstitution_id, treatment_id, units FROM vial_draws")).fetchall()
        assert [(r, t, Decimal(str(u))) for r, t, u in draws] == [("r", "t", Decimal(20))]
        assert c.execute(text("SELECT vials_received FROM lots")).scalar() is None  # not counted before
        assert c.execute(text("SELECT consent_aesthetic FROM clinics")).scalar() == 1  # on by default
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as c:
        c.execute(text("UPDATE treatments SET note = 'changed'"))
    engine.dispose()

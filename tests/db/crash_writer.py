"""Child process of test_crash.py: records treatments until it is killed.

    python crash_writer.py DATABASE_FILE SETUP_JSON

SETUP_JSON names the clinic's injector, lot, reconstituted vial, patients and the clock.
The writer prints "ready" once loaded, then records glabellar treatments (5 injections
each) round-robin over the patients through ``record_treatment`` in a unit of work. For
each one it prints "writing" when the transaction sends its first INSERT, and the
treatment's id right after the commit returned: a printed id is an acknowledged write.
Most of a recording is reading and checking; "writing" lets the test aim its kill at the
inserts and the commit. It stops after LIMIT treatments; the test kills it long before.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from sqlalchemy import Engine, event

from toxplan.db.engine import make_engine, session_factory, unit_of_work
from toxplan.knowledge.loader import load
from toxplan.services.schemas import Actor
from toxplan.services.treatments import record_treatment
from toxplan.settings import get_settings

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
LIMIT = 500
SITES = (
    "procerus",
    "corrugator_medial_left",
    "corrugator_medial_right",
    "corrugator_lateral_left",
    "corrugator_lateral_right",
)


def announce_writes(engine: Engine) -> None:
    """Print "writing" at the first INSERT of each transaction."""
    announced = False

    @event.listens_for(engine, "begin")
    def _begin(_connection: object) -> None:
        nonlocal announced
        announced = False

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(_connection: object, _cursor: object, statement: str, *_args: object) -> None:
        nonlocal announced
        if not announced and statement.startswith("INSERT"):
            announced = True
            print("writing", flush=True)


def main(database: str, setup_json: str) -> None:
    setup = json.loads(setup_json)
    now = dt.datetime.fromisoformat(setup["now"])
    actor = Actor(clinic_id=setup["clinic_id"], user_id=setup["injector_id"], role="injector")
    kb = load(KNOWLEDGE, cache_dir=get_settings().cache_dir)  # the test points TOXPLAN_CACHE_DIR at its tmp dir
    engine = make_engine(f"sqlite:///{database}")
    announce_writes(engine)
    factory = session_factory(engine)
    print("ready", flush=True)
    patient_ids = setup["patient_ids"]
    for n in range(LIMIT):
        data = {
            "patient_id": patient_ids[n % len(patient_ids)],
            "lot_id": setup["lot_id"],
            "reconstitution_id": setup["reconstitution_id"],
            "visit_at": now,
            "injections": [{"indication": "glabellar_lines", "site": s, "units": 4} for s in SITES],
            # every patient gets course after course at one visit: from the third, the day's
            # glabellar total is above 2 x the label dose (one session), which needs a reason
            "overrides": [
                {
                    "code": "SESSION_DOSE_ABOVE_MAX",
                    "category": "clinically_indicated",
                    "reason": "Repeated courses at one visit test crash safety.",
                }
            ],
        }
        with unit_of_work(factory) as session:
            done = record_treatment(session, actor, data, kb=kb, now=now)
        # Only here has the commit returned: acknowledge.
        print(done.treatment.id, flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:3])

"""A second follow-up review adds a version; the first one's scores, note, author and time stay
(SQLite and PostgreSQL), and the database refuses to change or delete a version."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update
from sqlalchemy.orm import Session, sessionmaker

from tests.db.conftest import NOW, TODAY, ClinicSetup, treatment_data
from toxplan.db.engine import unit_of_work
from toxplan.db.models import FollowUpReview
from toxplan.knowledge.base import KnowledgeBase
from toxplan.services import outcomes, records, treatments


def test_a_second_review_keeps_the_first(
    factory: sessionmaker[Session], kb: KnowledgeBase, clinic: ClinicSetup
) -> None:
    with unit_of_work(factory) as session:
        done = treatments.record_treatment(session, clinic.injector, treatment_data(clinic), kb=kb, now=NOW)
    first = {"reviewed_on": TODAY, "fws_rest": 1, "fws_max": 2, "satisfaction": 3, "note": "Asymmetric brow"}
    with unit_of_work(factory) as session:
        outcomes.record_follow_up(session, clinic.injector, done.follow_up.id, first, today=TODAY)
    second = {"reviewed_on": TODAY, "fws_max": 0, "satisfaction": 5, "note": "Even after touch-up"}
    with unit_of_work(factory) as session:
        latest = outcomes.record_follow_up(session, clinic.director, done.follow_up.id, second, today=TODAY)
        assert (latest.fws_max, latest.satisfaction, latest.note) == (0, 5, "Even after touch-up")
        assert latest.fws_rest == 1  # a later review adds to the earlier one, never erases

    with unit_of_work(factory) as session:
        versions = outcomes.follow_up_reviews(session, clinic.injector, done.follow_up.id)
        detail = records.treatment_detail(session, clinic.injector, done.treatment.id)
    assert [v.version for v in versions] == [1, 2]
    assert (versions[0].fws_max, versions[0].satisfaction, versions[0].note) == (2, 3, "Asymmetric brow")
    assert versions[0].recorded_by == clinic.injector.user_id
    assert versions[1].recorded_by == clinic.director.user_id
    assert versions[0].recorded_at <= versions[1].recorded_at
    assert [v.id for v in detail.reviews[done.follow_up.id]] == [v.id for v in versions]
    assert detail.names[clinic.director.user_id] == "medical_director user"

    for statement in (
        update(FollowUpReview).where(FollowUpReview.id == versions[0].id).values(note="rewritten"),
        delete(FollowUpReview).where(FollowUpReview.id == versions[0].id),
    ):
        with pytest.raises(Exception, match="append-only"), unit_of_work(factory) as session:
            session.execute(statement)

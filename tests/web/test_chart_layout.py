"""The chart draws from exactly the landmarks ``face/chart.yaml`` names, so a knowledge base
that passes ``kb validate`` can always be drawn."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from toxplan.domain.geometry import Position
from toxplan.face_chart import VIEWS, render_view
from toxplan.knowledge.base import KnowledgeBase


class Recording(dict[str, Position]):
    """The landmarks, noting every name the drawing reads."""

    def __init__(self, landmarks: Mapping[str, Position]) -> None:
        super().__init__(landmarks)
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> Position:
        self.read.add(name)
        return super().__getitem__(name)


@pytest.mark.parametrize("view", [v.id for v in VIEWS])
def test_each_view_reads_only_the_landmarks_the_chart_file_names(kb: KnowledgeBase, view: str) -> None:
    assert kb.chart is not None
    landmarks = Recording(kb.template)
    render_view(view, landmarks)
    assert landmarks.read
    assert landmarks.read <= set(kb.chart.landmarks[view])


def test_a_view_draws_on_just_the_named_landmarks(kb: KnowledgeBase) -> None:
    assert kb.chart is not None
    for view, names in kb.chart.landmarks.items():
        only = {name: kb.template[name] for name in names}
        assert render_view(view, only).startswith("<svg")

"""Photo fixtures: the public-domain astronaut portrait that scikit-image ships, and its face.

The landmark model loads once per test process (``toxplan.photo.landmarks`` keeps it).
"""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from toxplan.domain.photo_chart import PhotoFace
from toxplan.knowledge.base import KnowledgeBase
from toxplan.photo import analysis


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    """Eileen Collins, NASA portrait (public domain), 512 x 512 RGB."""
    return np.asarray(data.astronaut())


@pytest.fixture(scope="session")
def astronaut_face(astronaut: np.ndarray, kb: KnowledgeBase) -> PhotoFace:
    return analysis.read(astronaut, kb)

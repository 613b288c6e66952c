"""Photos for the demo clinic: one patient's frontal photos before and after a treatment, and
one of today, so the photo chart and the before/after page can be tried at once (with the
default seed and 300 patients, Olivia O'Brien; ``seed_demo`` picks the first woman with a visit).

The photo is a public-domain portrait (``photo/demo/README.md``); the "after" and "today"
pictures are made from it here, turned and scaled a little as a second visit's photo would be.
They go through the real upload service: cleaned, landmarks found, audited.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from PIL import Image
from sqlalchemy.orm import Session

from toxplan.services import photos
from toxplan.services.schemas import Actor

PORTRAIT = Path(__file__).resolve().parents[1] / "photo" / "demo" / "astronaut.jpg"


def _variant(turn: float, zoom: float) -> bytes:
    """The portrait turned by ``turn`` degrees and enlarged by ``zoom`` about its centre."""
    image = Image.open(PORTRAIT).convert("RGB")
    w, h = image.size
    crop = (w * (1 - 1 / zoom) / 2, h * (1 - 1 / zoom) / 2, w * (1 + 1 / zoom) / 2, h * (1 + 1 / zoom) / 2)
    image = image.rotate(turn, resample=Image.Resampling.BICUBIC).resize((w, h), Image.Resampling.LANCZOS, box=crop)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def add_demo_photos(session: Session, injector: Actor, patient_id: str, treated_at: dt.datetime, today: dt.date) -> int:
    """Baseline before the treatment at ``treated_at``, a 2-week review, and one of today."""
    shots = [(treated_at - dt.timedelta(minutes=15), "baseline", PORTRAIT.read_bytes())]
    review = treated_at + dt.timedelta(days=14)
    if review.date() < today:
        shots.append((review, "review_2_weeks", _variant(4.0, 1.06)))
    shots.append((dt.datetime.combine(today, dt.time(8, 30), dt.UTC), "other", _variant(-3.0, 1.0)))
    for taken_at, time_point, image in shots:
        meta = {"view": "front_rest", "time_point": time_point, "taken_at": taken_at}
        photos.add_photo(session, injector, patient_id, image, meta, now=taken_at)
    return len(shots)

"""Uploading photos in API tests: the public-domain astronaut portrait as a JPEG."""

from __future__ import annotations

import io
from functools import cache
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from PIL import Image
from skimage import data

API = "/api/v1"


@cache
def portrait_jpeg(size: int = 512, turn: float = 0.0) -> bytes:
    image = Image.fromarray(np.asarray(data.astronaut())).resize((size, size), Image.Resampling.LANCZOS)
    if turn:
        image = image.rotate(turn, resample=Image.Resampling.BICUBIC)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def multipart(image: bytes | None = None, **fields: Any) -> dict[str, Any]:
    """A body for ``tests.api.test_access.call``: the file and the form fields."""
    form = {"view": "front_rest", "time_point": "baseline", **fields}
    return {"files": {"image": ("portrait.jpg", image or portrait_jpeg(), "image/jpeg")}, "data": form}


def upload(client: TestClient, patient_id: str, image: bytes | None = None, **fields: Any) -> Any:
    body = multipart(image, **fields)
    return client.post(f"{API}/patients/{patient_id}/photos", files=body["files"], data=body["data"])

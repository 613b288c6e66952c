"""JSON shapes of photo charting, shared by the command line and the API."""

from __future__ import annotations

from typing import Any

import numpy as np

from toxplan.domain.photo_chart import PhotoFace
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.zone_models import DangerZone


def face_json(face: PhotoFace) -> dict[str, Any]:
    pose = face.fit.pose
    return {
        "scale_mm_per_px": round(face.fit.mm_per_px, 4),
        "pose": {
            "yaw_deg": round(pose.yaw_deg, 1),
            "pitch_deg": round(pose.pitch_deg, 1),
            "roll_deg": round(pose.roll_deg, 1),
        },
    }


def landmarks_json(face: PhotoFace) -> dict[str, dict[str, float]]:
    """Template landmarks on the photo, those on or near the face."""
    return {
        name: {"x_px": round(p.x_px, 1), "y_px": round(p.y_px, 1)}
        for name, p in sorted(face.landmark_pixels().items())
        if p.on_face
    }


def zones_at(kb: KnowledgeBase, x_mm: float, y_mm: float) -> list[dict[str, Any]]:
    """Front-view danger zones holding a template point (any indication)."""
    found = []
    for zone, compiled in kb.zones_for("front"):
        if compiled.holds("front", x_mm, y_mm):
            found.append(
                {"id": zone.id, "name": zone.name, "severity": zone.severity, "exempt_indications": _exempt(zone)}
            )
    return found


def locate_json(face: PhotoFace, kb: KnowledgeBase, x_px: float, y_px: float) -> dict[str, Any]:
    point = face.locate(np.array([[x_px, y_px]]))[0]
    x_mm, y_mm = round(point.x_mm, 1), round(point.y_mm, 1)
    return {
        "image": {"width": face.fit.width, "height": face.fit.height},
        "point": {"x_px": x_px, "y_px": y_px},
        "position": {"x_mm": x_mm, "y_mm": y_mm, "view": "front", "on_face": point.on_face},
        "danger_zones": zones_at(kb, x_mm, y_mm),
        "knowledge_version": kb.version,
    }


def _exempt(zone: DangerZone) -> list[str]:
    """Indications whose label sites the zone exempts (e.g. pretarsal blepharospasm points)."""
    return sorted({i for exemption in zone.exemptions for i in exemption.indications})


SIDE_LABEL_MM = 78.0
"""Side labels sit this far out from each pupil, beside the face."""


def _polygons(face: PhotoFace, kb: KnowledgeBase) -> list[dict[str, Any]]:
    zones = []
    for zone in kb.danger_zones:
        if zone.view != "front":
            continue
        outlines = face.zone_outline(zone.shape, kb.template)
        shapes = [[[round(p.x_px, 1), round(p.y_px, 1)] for p in outline] for outline in outlines or []]
        zones.append(
            {
                "id": zone.id,
                "name": zone.name,
                "severity": zone.severity,
                "exempt_indications": _exempt(zone),
                "polygons": shapes,
                "drawn": outlines is not None,
            }
        )
    return zones


def _sides(face: PhotoFace) -> dict[str, dict[str, float]]:
    """Where to write "patient's right/left": beside each eye, outside the face."""
    spots = {}
    for side, sign in (("right", -1.0), ("left", 1.0)):
        px, py = face.landmarks[f"pupil_{side}"]
        at = face.frontal_to_photo(np.array([[px + sign * SIDE_LABEL_MM, py]]))[0]
        spots[side] = {"x_px": round(at.x_px, 1), "y_px": round(at.y_px, 1)}  # beside the temple
    return spots


def chart_json(
    face: PhotoFace | None, kb: KnowledgeBase, *, photo: Any, problem: str | None, scale_note: str | None
) -> dict[str, Any]:
    """What the planning chart draws on a photo (or why it cannot)."""
    image = {"width": photo.width, "height": photo.height}
    if face is None:
        return {"image": image, "problem": problem}
    return {
        "image": image,
        "problem": None,
        "face": face_json(face),
        "scale_note": scale_note,
        "sides": _sides(face),
        "landmarks": landmarks_json(face),
        "sites": {
            site: {"x_px": round(p.x_px, 1), "y_px": round(p.y_px, 1)}
            for site, p in sorted(face.place_sites().items())
            if p.on_face
        },
        "zones": _polygons(face, kb),
        "knowledge_version": kb.version,
    }

"""``toxplan photo``: injection sites on a patient's photo, and a photo point back on the template.

Pixel coordinates have their origin at the image's top-left corner, x to the right, y down.
No face in the photo, or a head turned beyond the charting limits, is exit status 2 with one
message. The photo is read and never written, copied or logged.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from toxplan.cli.common import Format, FormatOption, clean_errors, emit
from toxplan.cli.loading import knowledge
from toxplan.domain.plans import IndicationChoice, build_plan
from toxplan.errors import InvalidInput
from toxplan.knowledge.base import KnowledgeBase

if TYPE_CHECKING:  # numpy, Pillow and MediaPipe load only when a photo command runs
    from toxplan.domain.photo_chart import PhotoFace

app = typer.Typer(help="Injection sites on a patient's photo (front view).", no_args_is_help=True)
ImageArgument = Annotated[Path, typer.Argument(help="A frontal photo: JPEG, PNG or WebP.")]


def _read(path: Path, kb: KnowledgeBase) -> PhotoFace:
    from toxplan.photo import analysis, images  # noqa: PLC0415

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror or exc}", field="image") from None
    face = analysis.read(images.decode(data), kb)
    problem = analysis.frontal_problem(face, kb)
    if problem:
        raise InvalidInput(f"{problem}; take a frontal photo", field="image")
    return face


@app.command()
def place(
    image: ImageArgument,
    product: Annotated[str, typer.Option(help="Product id, INN or brand name (e.g. botox).")],
    indication: Annotated[
        list[str], typer.Option(help="Indication id; repeat for several (ID:VARIANT for a variant).")
    ],
    format: FormatOption = Format.text,
) -> None:
    """Place the label-standard injection sites of a plan on a frontal photo."""
    from toxplan.photo import analysis  # noqa: PLC0415
    from toxplan.photo.presenters import face_json, landmarks_json  # noqa: PLC0415

    with clean_errors():
        kb = knowledge()
        built = build_plan(kb, product=product, indications=[IndicationChoice.parse(i) for i in indication])
        face = _read(image, kb)
        sites = face.place_sites()
        injections: list[dict[str, Any]] = []
        for inj in built.injections:
            at = sites.get(inj.site) if inj.site else None
            shown = at is not None and at.on_face
            injections.append(
                {
                    "site": inj.site,
                    "indication": inj.indication,
                    "units": float(inj.units),
                    "x_px": round(at.x_px, 1) if shown and at else None,
                    "y_px": round(at.y_px, 1) if shown and at else None,
                }
            )
        note = analysis.scale_note(face, kb)
    if note:
        typer.echo(f"toxplan: warning: {note}", err=True)
    result: dict[str, Any] = {
        "image": {"width": face.fit.width, "height": face.fit.height},
        "face": face_json(face),
        "landmarks": landmarks_json(face),
        "injections": injections,
        "knowledge_version": kb.version,
    }
    if format is Format.json:
        emit(result)
        return
    pose = result["face"]["pose"]
    typer.echo(
        f"{image.name}: {face.fit.width} x {face.fit.height} px, {result['face']['scale_mm_per_px']} mm per px, "
        f"yaw {pose['yaw_deg']}°, pitch {pose['pitch_deg']}°, roll {pose['roll_deg']}°"
    )
    for row in injections:
        where = (
            f"x {row['x_px']}, y {row['y_px']} px" if row["x_px"] is not None else "not on the photo (template only)"
        )
        typer.echo(f"  {row['site']:<40} {row['units']:>6g} U  {where}")


@app.command()
def locate(
    image: ImageArgument,
    x_px: Annotated[float, typer.Option("--x-px", help="Pixels from the image's left edge.")],
    y_px: Annotated[float, typer.Option("--y-px", help="Pixels from the image's top edge.")],
    format: FormatOption = Format.text,
) -> None:
    """Where a point of the photo lies on the template face (mm), and the danger zones there."""
    from toxplan.photo.presenters import locate_json  # noqa: PLC0415

    with clean_errors():
        kb = knowledge()
        face = _read(image, kb)
        if not (0 <= x_px < face.fit.width and 0 <= y_px < face.fit.height):
            raise InvalidInput(f"the point lies outside the {face.fit.width} x {face.fit.height} image", field="x_px")
        result = locate_json(face, kb, x_px, y_px)
    if format is Format.json:
        emit(result)
        return
    pos = result["position"]
    typer.echo(
        f"template front view: x {pos['x_mm']} mm, y {pos['y_mm']} mm" + ("" if pos["on_face"] else " (off the face)")
    )
    for zone in result["danger_zones"]:
        typer.echo(f"  in danger zone {zone['id']} ({zone['severity']}): {zone['name']}")
    if not result["danger_zones"]:
        typer.echo("  in no danger zone")

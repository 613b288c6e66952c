"""``toxplan photo place`` and ``toxplan photo locate``: the JSON contract and the refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from toxplan.cli.main import app

runner = CliRunner()


@pytest.fixture(scope="module")
def portrait(astronaut: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("photos") / "portrait.jpg"
    Image.fromarray(astronaut).save(path, quality=92)
    return path


def test_place_gives_the_contract_shape(portrait: Path) -> None:
    result = runner.invoke(
        app,
        ["photo", "place", str(portrait), "--product", "botox", "--indication", "glabellar_lines", "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"image", "face", "landmarks", "injections", "knowledge_version"}
    assert data["image"] == {"width": 512, "height": 512}
    assert set(data["face"]) == {"scale_mm_per_px", "pose"}
    assert set(data["face"]["pose"]) == {"yaw_deg", "pitch_deg", "roll_deg"}
    assert 1.0 < data["face"]["scale_mm_per_px"] < 2.5
    assert set(data["landmarks"]["pupil_left"]) == {"x_px", "y_px"}
    # the patient's left pupil is on the image's right of an unmirrored portrait
    assert data["landmarks"]["pupil_left"]["x_px"] > data["landmarks"]["pupil_right"]["x_px"]
    assert len(data["injections"]) == 5
    for injection in data["injections"]:
        assert set(injection) == {"site", "indication", "units", "x_px", "y_px"}
        assert 0 < injection["x_px"] < 512 and 0 < injection["y_px"] < 512
    procerus = next(i for i in data["injections"] if i["site"] == "procerus")
    assert procerus["y_px"] < data["landmarks"]["pupil_left"]["y_px"]  # above the eyes


def test_no_face_is_exit_2_with_one_message(tmp_path: Path) -> None:
    blank = tmp_path / "wall.png"
    Image.fromarray(np.full((400, 300, 3), 210, dtype=np.uint8)).save(blank)
    result = runner.invoke(app, ["photo", "place", str(blank), "--product", "botox", "--indication", "glabellar_lines"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == ["toxplan: error: image: no face was found in the photo"]


def test_a_file_that_is_no_image_is_exit_2(tmp_path: Path) -> None:
    fake = tmp_path / "photo.jpg"
    fake.write_text("not a photo")
    result = runner.invoke(app, ["photo", "locate", str(fake), "--x-px", "1", "--y-px", "1"])
    assert result.exit_code == 2
    assert "not an image that can be read" in result.stderr


def test_locate_maps_a_site_back_onto_the_template(portrait: Path) -> None:
    placed = json.loads(
        runner.invoke(
            app,
            [
                "photo",
                "place",
                str(portrait),
                "--product",
                "botox",
                "--indication",
                "glabellar_lines",
                "--format",
                "json",
            ],
        ).stdout
    )
    procerus = next(i for i in placed["injections"] if i["site"] == "procerus")
    result = runner.invoke(
        app,
        [
            "photo",
            "locate",
            str(portrait),
            "--x-px",
            str(procerus["x_px"]),
            "--y-px",
            str(procerus["y_px"]),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["position"]["view"] == "front"
    # the template procerus site, give or take the 0.1 px rounding of the output
    assert data["position"]["x_mm"] == pytest.approx(0.0, abs=0.4)
    assert isinstance(data["danger_zones"], list)


def test_a_point_in_the_eye_lies_in_the_upper_lid_zone(portrait: Path) -> None:
    placed = json.loads(
        runner.invoke(
            app,
            [
                "photo",
                "place",
                str(portrait),
                "--product",
                "botox",
                "--indication",
                "glabellar_lines",
                "--format",
                "json",
            ],
        ).stdout
    )
    pupil = placed["landmarks"]["pupil_left"]
    result = runner.invoke(
        app,
        [
            "photo",
            "locate",
            str(portrait),
            "--x-px",
            str(pupil["x_px"]),
            "--y-px",
            str(pupil["y_px"]),
            "--format",
            "json",
        ],
    )
    data = json.loads(result.stdout)
    assert data["position"]["x_mm"] == pytest.approx(31.4, abs=0.5)
    # the pupil sits on the line between the canthi, where the upper and lower lid zones meet
    assert {"upper_eyelid_levator", "lower_eyelid"} & {z["id"] for z in data["danger_zones"]}


def test_a_point_outside_the_image_is_refused(portrait: Path) -> None:
    result = runner.invoke(app, ["photo", "locate", str(portrait), "--x-px", "900", "--y-px", "10"])
    assert result.exit_code == 2
    assert "outside the 512 x 512 image" in result.stderr

"""Speed of charting on a photo: one stored photo to placed sites, on one core.

The photo: scikit-image's public-domain astronaut portrait re-encoded as the app stores an
upload (JPEG, here at 1024 px). Timed from the JPEG bytes to every front-view site placed in
pixels: decoding, four landmark passes (photo, mirror image, two turned views), the fit, the
warp and the placement. The landmark model loads once per process; the first photo (warm-up)
is reported apart. Goal: under 100 ms per photo after warm-up. Prints figures only.

Both wall time and CPU time (all the process's threads, pinned to one core) are printed: on a
machine shared with other work the wall time includes waiting for the core, the CPU time is
what one photo costs.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core: before numpy loads

import io
import statistics
import time

import numpy as np
from PIL import Image
from skimage import data

from toxplan.knowledge.loader import load
from toxplan.photo import analysis, images, landmarks

RUNS = 30


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    kb = load()
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(data.astronaut())).resize((1024, 1024), Image.Resampling.LANCZOS).save(
        buffer, "JPEG", quality=90
    )
    jpeg = buffer.getvalue()

    def one() -> int:
        face = analysis.read(images.decode(jpeg), kb)
        return len(face.place_sites())

    start = time.perf_counter()
    landmarks.warm_up()
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    one()
    first = time.perf_counter() - start
    times, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        placed = one()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    times.sort()
    cpu.sort()
    print(f"model load {loaded * 1000:.0f} ms, first photo {first * 1000:.0f} ms")
    print(
        f"one photo -> {placed} sites placed: median {statistics.median(times) * 1000:.1f} ms, "
        f"best {times[0] * 1000:.1f} ms, p90 {times[int(0.9 * RUNS)] * 1000:.1f} ms wall; "
        f"CPU median {statistics.median(cpu) * 1000:.1f} ms, p90 {cpu[int(0.9 * RUNS)] * 1000:.1f} ms (goal < 100 ms)"
    )
    rgb = images.decode(jpeg)
    detect = []
    for _ in range(RUNS):
        start = time.process_time()
        analysis.detect(rgb)
        detect.append(time.process_time() - start)
    print(f"  of which landmarks (four passes): CPU median {statistics.median(detect) * 1000:.1f} ms")


if __name__ == "__main__":
    main()

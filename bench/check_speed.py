"""Speed of the safety check: in-process checks per second, per-check latency, CLI wall time.

The case: a three-area BOTOX plan (glabellar, forehead, lateral canthal lines: 64 U in 16
injections) checked for a patient with 40 past treatments, medications, conditions and
allergies. Goals: at least 15,000 in-process checks per second on one core (plan and every
rule), at least 8,000 with the request's parsing; one `toxplan check` process in at most
0.3 s on a quiet machine. Prints figures; asserts nothing (timings belong here, not in tests).

The machine is shared and noisy, so rates are the best of several batches with the process
pinned to one core, and ``--instructions`` also counts the CPU instructions of one check
under Valgrind (callgrind), a figure that does not depend on the machine's load.

    python bench/check_speed.py                 # rates, latencies, CLI wall time
    python bench/check_speed.py --instructions  # instructions per check and per CLI call
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from toxplan.domain.checking import check
from toxplan.domain.plans import IndicationChoice, build_plan
from toxplan.domain.requests import parse_check_request
from toxplan.knowledge.base import KnowledgeBase
from toxplan.knowledge.loader import load_cached
from toxplan.settings import get_settings

DAY = dt.date(2026, 11, 25)
AT = dt.datetime(2026, 11, 25, 12)
AREAS = ["glabellar_lines", "forehead_lines", "lateral_canthal_lines"]
BATCHES = 9
BATCH = 1000


def case(kb: Any) -> dict[str, Any]:
    plan = build_plan(kb, product="botox", indications=[IndicationChoice(a) for a in AREAS])
    shots = [{"indication": i.indication, "site": i.site, "units": float(i.units)} for i in plan.injections]
    products = ["botox", "dysport", "xeomin", "botox"]
    history = [
        {
            "date": (DAY - dt.timedelta(days=30 + 45 * n)).isoformat(),
            "product": products[n % 4],
            "indication": AREAS[n % 3],
            "units": 20,
        }
        for n in range(40)
    ]
    return {
        "date": DAY.isoformat(),
        "patient": {
            "birth_date": "1980-05-01",
            "sex": "female",
            "weight_kg": 61,
            "pregnant": False,
            "breastfeeding": False,
            "infection_at_site": False,
            "conditions": ["hypertension", "hypothyroidism"],
            "medications": ["lisinopril 10 mg", "levothyroxine", "oxybutynin 5mg bid"],
            "allergies": ["penicillin"],
        },
        "history": history,
        "treatment": {
            "product": "botox",
            "vial_units": 100,
            "diluent_ml": 2.5,
            "reconstituted_at": "2026-11-25T08:00:00",
            "injections": shots,
        },
    }


def knowledge() -> KnowledgeBase:
    """The knowledge base the CLI would use (TOXPLAN_KNOWLEDGE_DIR, TOXPLAN_CACHE_DIR)."""
    settings = get_settings()
    return load_cached(settings.knowledge_dir, settings.cache_dir)


def workloads() -> dict[str, Callable[[], object]]:
    """The two measured calls, warmed the way a running server is (memos filled)."""
    kb = knowledge()
    data = case(kb)
    request = parse_check_request(data, today=DAY)
    for _ in range(300):
        check(kb, request, at=AT)
    return {
        "engine": lambda: check(kb, request, at=AT),
        "parse": lambda: check(kb, parse_check_request(data, today=DAY), at=AT),
    }


def rate(work: Callable[[], object]) -> tuple[float, list[float]]:
    """Best batch rate (the machine's noise only ever slows a batch) and every call's time."""
    best = 0.0
    latencies: list[float] = []
    for _ in range(BATCHES):
        start = time.perf_counter()
        for _ in range(BATCH):
            t0 = time.perf_counter()
            work()
            latencies.append(time.perf_counter() - t0)
        best = max(best, BATCH / (time.perf_counter() - start))
    latencies.sort()
    return best, latencies


def cli_walls(path: str, runs: int = 9) -> list[float]:
    toxplan = str(Path(sys.executable).parent / "toxplan")
    walls = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([toxplan, "check", path, "--format", "json"], capture_output=True, check=False)
        walls.append(time.perf_counter() - t0)
    return walls


def request_file() -> str:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(case(knowledge()), handle)
    return handle.name


def pin_to_one_core() -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned"
    core = sorted(os.sched_getaffinity(0))[-1]
    os.sched_setaffinity(0, {core})
    return f"pinned to core {core}"


def figures() -> None:
    pinned = pin_to_one_core()
    print(f"best of {BATCHES} batches of {BATCH:,}, {pinned}")
    for label, work in (("check (plan + all rules)", "engine"), ("parse + check", "parse")):
        best, lat = rate(workloads()[work])
        print(
            f"{label:<26} {best:7,.0f} checks/s on one core; one check median "
            f"{statistics.median(lat) * 1e6:,.0f} us, p99 {lat[int(len(lat) * 0.99)] * 1e6:,.0f} us"
        )
    walls = cli_walls(request_file())
    print(
        f"`toxplan check` process      median {statistics.median(walls):.3f} s, best {min(walls):.3f} s wall "
        f"({len(walls)} runs: interpreter start, imports, knowledge base from the cache, check, output)"
    )
    print(f"knowledge base {knowledge().version}")


# --- instruction counts ------------------------------------------------------------------------

COLLECTED = re.compile(r"Collected : (\d+)")


def callgrind(args: list[str], *, toggle: str | None = None) -> int:
    """Instructions executed by ``args`` under callgrind (only inside ``toggle`` when given)."""
    command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    if toggle:
        command += ["--collect-atstart=no", f"--toggle-collect={toggle}"]
    done = subprocess.run([*command, *args], capture_output=True, text=True, check=False)
    found = COLLECTED.search(done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind gave no count: {done.stderr[-500:]}")
    return int(found.group(1))


def instructions(calls: int = 200) -> None:
    """CPU instructions per check (``calls`` checks counted, inside ``collections.deque``,
    which the check itself never calls) and per `toxplan check` process."""
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: no instruction counts")
        return
    for label, work in (("check (plan + all rules)", "engine"), ("parse + check", "parse")):
        total = callgrind([sys.executable, __file__, "--run", work, str(calls)], toggle="deque_init")
        print(f"{label:<26} {total / calls / 1e6:6.2f} million instructions per check")
    path = request_file()
    cli_walls(path, runs=1)  # fill the knowledge cache first
    toxplan = str(Path(sys.executable).parent / "toxplan")
    total = callgrind([toxplan, "check", path, "--format", "json"])
    print(f"`toxplan check` process    {total / 1e6:6.0f} million instructions (start to exit)")


def run(work: str, calls: int) -> None:
    call = workloads()[work]
    collections.deque((call() for _ in range(calls)), maxlen=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instructions", action="store_true", help="count instructions under valgrind")
    parser.add_argument("--run", nargs=2, metavar=("WORK", "CALLS"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.run:
        run(options.run[0], int(options.run[1]))
    elif options.instructions:
        instructions()
    else:
        figures()


if __name__ == "__main__":
    main()

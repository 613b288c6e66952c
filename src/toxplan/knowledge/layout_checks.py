"""Cross-file checks of the regions and the chart layout.

Every region an indication, a site or a condition names is defined in ``regions.yaml``, and
every landmark the planning chart is drawn from exists in its view: without it every chart
page would fail, so the knowledge base is refused when it loads instead.
"""

from __future__ import annotations

from toxplan.errors import Problem
from toxplan.knowledge.raw import RawKnowledge

CHART = "face/chart.yaml"


def check_layout(raw: RawKnowledge) -> list[Problem]:
    return [*_regions(raw), *_chart(raw)]


def _named_regions(raw: RawKnowledge) -> list[tuple[str, str, str]]:
    """(file, field, region) for every region an indication, a site or a condition names."""
    named: list[tuple[str, str, str]] = []
    if raw.indication_file is not None:
        named += [
            ("indications.yaml", f"indications[{i}].region", ind.region)
            for i, ind in enumerate(raw.indication_file.indications)
        ]
    for file, site_file in raw.site_files:
        named += [(file, f"sites[{i}].region", site.region) for i, site in enumerate(site_file.sites)]
    if raw.condition_file is not None:
        named += [
            ("conditions.yaml", f"conditions[{i}].regions[{j}]", name)
            for i, condition in enumerate(raw.condition_file.conditions)
            for j, name in enumerate(condition.regions)
        ]
    return named


def _regions(raw: RawKnowledge) -> list[Problem]:
    known = sorted(r.id for r in raw.region_file.regions) if raw.region_file else []
    return [
        Problem(file, field, f"unknown region {name!r} (regions.yaml names {known})")
        for file, field, name in _named_regions(raw)
        if name not in known
    ]


def _chart(raw: RawKnowledge) -> list[Problem]:
    if raw.chart is None or raw.landmark_file is None:
        return []
    views = {lm.id: lm.view for lm in raw.landmark_file.landmarks}
    problems = []
    for view, names in raw.chart.landmarks.items():
        for j, name in enumerate(names):
            field = f"landmarks.{view}[{j}]"
            if name not in views:
                problems.append(Problem(CHART, field, f"the chart needs landmark {name!r}, which is not defined"))
            elif views[name] != view:
                problems.append(Problem(CHART, field, f"landmark {name!r} is in view {views[name]!r}, not {view!r}"))
    return problems

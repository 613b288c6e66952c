"""The knowledge base: products, indications, sites, landmarks, danger zones, sources."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from toxplan import kb_views
from toxplan.http.deps import KB, Allow
from toxplan.primitives.roles import ALL_ROLES

router = APIRouter(prefix="/kb", tags=["knowledge"], dependencies=[Depends(Allow(*ALL_ROLES))])


@router.get("/products")
def products(kb: KB) -> list[dict[str, Any]]:
    return kb_views.products(kb)


@router.get("/indications")
def indications(kb: KB, product: str | None = None) -> list[dict[str, Any]]:
    return kb_views.indications(kb, product)


@router.get("/sites")
def sites(kb: KB, product: str | None = None, indication: str | None = None) -> list[dict[str, Any]]:
    return kb_views.sites(kb, product, indication)


@router.get("/landmarks")
def landmarks(kb: KB) -> dict[str, Any]:
    return kb_views.landmarks(kb)


@router.get("/danger-zones")
def danger_zones(kb: KB) -> list[dict[str, Any]]:
    return kb_views.danger_zones(kb)


@router.get("/interactions")
def interactions(kb: KB) -> list[dict[str, Any]]:
    return kb_views.interactions(kb)


@router.get("/sources")
def sources(kb: KB) -> list[dict[str, Any]]:
    return kb_views.sources(kb)

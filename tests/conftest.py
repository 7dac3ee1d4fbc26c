"""Shared fixtures. Test data lives in tests/data (see tests/data/SOURCES.md); nothing here
reads ../shared, so the suite passes on a fresh clone."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA_DIR = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture(scope="session")
def default_catalog():
    from app.catalog import Catalog

    return Catalog.load_default()

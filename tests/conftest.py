"""Shared test set-up: hypothesis profiles and fixtures for the repository's data (``samples.py``).

Hypothesis budgets are fixed so the suite runs in well under two minutes on two cores:

* ``default`` (and ``ci``): a modest number of examples, derandomized so CI runs are repeatable;
* ``long``: many more examples with fresh randomness, for maintainers hunting bugs
  (``HYPOTHESIS_PROFILE=long pytest tests/test_provenance.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from samples import REPO, SEEDS

settings.register_profile(
    "default",
    max_examples=200,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "ci",
    parent=settings.get_profile("default"),
)
settings.register_profile(
    "long",
    max_examples=5000,
    deadline=None,
    derandomize=False,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir() or not any(SEEDS.glob("*.txt")):
        pytest.skip(f"seed documents not found at {SEEDS}")
    return SEEDS

"""Shared test set-up: hypothesis profiles and paths to the repository's data.

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

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
EXPECTED = REPO / "tests" / "expected"
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
BENCH_VERIFY = SHARED / "bench" / "verify.py"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir() or not any(SEEDS.glob("*.txt")):
        pytest.skip(f"seed documents not found at {SEEDS}")
    return SEEDS

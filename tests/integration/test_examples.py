"""The example configurations in examples/ stay valid as the configuration grows."""

from __future__ import annotations

import os
import subprocess

import pytest

from conftest import REPO, tollgate_bin


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "examples").glob("*.yaml")))
def test_example_configuration_passes_check(name):
    env = {k: v for k, v in os.environ.items()
           if k not in ("IDENTITY_ENDPOINT", "IDENTITY_HEADER")}
    r = subprocess.run([tollgate_bin(), "check", "--config", str(REPO / "examples" / name)],
                       capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 0, r.stderr
    assert ": OK (" in r.stdout

"""Point-in-time recovery on PostgreSQL: deploy/pitr/drill.sh, on a throwaway cluster it makes
itself, restores the demo to a moment between a change and a damaging one (docs/backups.md)."""
import os
import shutil
import subprocess

import pytest

from tests.conftest import TEST_DATABASE_URL
from webapp.config import ROOT

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL's recovery: run with the PostgreSQL suite"),
    pytest.mark.skipif(shutil.which("pgbackrest") is None, reason="pgbackrest is not installed"),
]


def test_the_drill_restores_to_the_moment_before_the_damage(demo_template, tmp_path):
    # On the demo this run has seeded already (the drill would seed it again for itself).
    dump = demo_template.dump_to(tmp_path / "demo.dump")
    result = subprocess.run([str(ROOT / "deploy" / "pitr" / "drill.sh")], capture_output=True, text=True,
                            timeout=900, env={**os.environ, "DRILL_DUMP": str(dump)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the change kept: 1, damaged: 0" in result.stdout
    assert "drill passed" in result.stdout

import pytest

from peerlog.synth.cohort import generate


@pytest.fixture(scope="session")
def cohort():
    """The evaluation-sized cohort (seed 1), shared by the read-only tests."""
    return generate(1)

"""The grievance tests' fixtures (personas, reference data, the `walk` through the workflow), shared here."""

from tests.grievances.conftest import *  # noqa: F403

# The grievance personas and the `walk` helper serve the reporting tests too.
from tests.grievances.conftest import *  # noqa: F403

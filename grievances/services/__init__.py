"""Writes to the grievance mechanism. Views, the API and imports call these, nothing else."""

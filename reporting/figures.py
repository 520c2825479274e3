"""Which figures of the dictionary each table shows, and how a figure is written in it.

The dashboard and the semester report lay their grievance tables out from these lists, so
a column means the same thing, under the same name (`reporting.metrics`), on every surface.
A figure's value comes from a `Statistics.as_dict()` or from a frozen report's row: the
same keys. Downloads carry 2 decimals and pages 1 (`reporting.display.cell`); a rate
carries its numerator and denominator (`metrics.Rate`).
"""

from reporting import metrics

# A breakdown's table in the downloads: every count and treatment figure.
BREAKDOWN = (
    "received", "complaints", "not_complaints", "to_qualify", "founded", "unfounded", "awaiting_conclusion",
    "treated", "treated_rate", "open", "overdue", "treated_within_deadline", "treated_within_deadline_rate",
    "average_delay_days", "median_delay_days", "average_delay_hours", "median_delay_hours", "appeals", "duplicates",
)  # fmt: skip
# The same on a page, where the delays are given in days only to stay readable.
PAGE_BREAKDOWN = tuple(key for key in BREAKDOWN if not key.endswith("_hours"))
# Shown when some programme counts its deadlines in working days.
WORKING_DAYS = ("average_delay_working_days", "median_delay_working_days")
NOT_COMPLAINTS = (
    "not_complaints", "not_complaint_average_delay_days", "not_complaint_median_delay_days",
    "not_complaint_average_delay_hours", "not_complaint_median_delay_hours",
)  # fmt: skip
UNFOUNDED = ("unfounded",)
APPEALS = (
    "appeals", "appeals_pending", "appeals_upheld", "appeals_reversed", "appeals_overdue",
    "appeals_reviewed_within_deadline", "appeal_average_delay_days", "appeal_median_delay_days",
)  # fmt: skip
# The key figures, by group, as the dashboard's cards and the downloads' first sheet give them.
TREATMENT = (
    "treated", "treated_rate", "open", "overdue", "treated_within_deadline", "treated_within_deadline_rate",
    "average_delay_days", "median_delay_days", "average_delay_working_days", "median_delay_working_days",
    "average_delay_hours", "median_delay_hours",
)  # fmt: skip
KEY_FIGURES = (
    ("volumes", metrics.SECTIONS[0].title, ("received", "complaints", "not_complaints", "to_qualify", "duplicates")),
    ("outcomes", metrics.SECTIONS[1].title, ("founded", "unfounded", "awaiting_conclusion")),
    ("treatment", metrics.SECTIONS[2].title, TREATMENT),
    ("not-complaints", metrics.SECTIONS[3].title, NOT_COMPLAINTS[1:]),
    ("appeals", metrics.SECTIONS[4].title, APPEALS),
)


def header(columns) -> list[str]:
    return [metrics.name(key) for key in columns]


def value(figures: dict, key: str, *, places: int = 2):
    """The figure `key` of a figures dict as a table cell: a rate with its fraction, a float rounded."""
    if metrics.TERMS[key].fraction is not None:
        return metrics.rate(figures, key, places=places)
    return metrics.rounded(figures.get(key), places)


def values(figures: dict, columns, *, places: int = 2) -> list:
    return [value(figures, key, places=places) for key in columns]


def uses_working_days(figures: dict) -> bool:
    """Whether any treated complaint was measured in working days (a working-day policy applies)."""
    return figures.get("average_delay_working_days") is not None

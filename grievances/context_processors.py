"""The user's work queues and their counts, for the navigation menu and the home page."""


def queues_with_counts(request) -> list[dict]:
    """The user's queues with their (capped) counts, in one query, once per request."""
    from grievances.queues import count_label, queue_counts, queues_for

    if getattr(request, "_nav_queues", None) is None:
        user = getattr(request, "user", None)
        queues = queues_for(user) if user is not None and user.is_authenticated else []
        counts = queue_counts(user=user, queues=queues) if queues else {}
        request._nav_queues = [
            {
                "slug": q.slug,
                "label": q.label,
                "description": q.description,
                "count": counts.get(q.slug, 0),
                "count_label": count_label(counts.get(q.slug, 0)),
            }
            for q in queues
        ]
    return request._nav_queues


def navigation_queues(request) -> dict:
    return {"nav_queues": queues_with_counts(request)}

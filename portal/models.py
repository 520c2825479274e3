"""Public pages for complainants (issue 7): filing, tracking, satisfaction, appeal."""

"""The metrics API: read-only figures under /api/v1/metrics/, scoped like the dashboards."""

"""Scheduled health checks over many firewalls: inventory, worker pool, expectations, Prometheus."""

"""Config checks: what the running-config says about one tunnel, with the exact lines to fix."""

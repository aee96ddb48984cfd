"""Conditional debug capture: the channel reader, the capture loop and the cleanup that always
runs."""

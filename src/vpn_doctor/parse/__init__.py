"""Stage 2, parse: device outputs (TextFSM and line parsers) into the typed models."""

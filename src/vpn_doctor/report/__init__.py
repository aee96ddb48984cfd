"""Stage 4, report: JSON, Markdown and the rich terminal views (the only place besides cli/ that
imports rich)."""

"""ASA output and command syntax, written once: the canonical commands and the config spelling."""

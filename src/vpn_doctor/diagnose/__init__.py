"""Stage 3, diagnose: playbook walk per tunnel, message catalogue, config checks, findings."""

"""IKE SA states as the ASA prints them: which exist, and which mean "phase 1 is up".

The lists are data (``playbooks/vocabulary.yaml``, read through :mod:`vpn_doctor.vocabulary`)
so a new state is one line in one file; this module is the one place code asks "is phase 1
up?". Comparisons ignore case: pasted output is sometimes upper- or lower-cased.
"""

from __future__ import annotations

from vpn_doctor.vocabulary import vocabulary

#: The states in which phase 1 is complete (MM_ACTIVE, AM_ACTIVE, AG_ACTIVE, READY, UP-ACTIVE).
PHASE1_UP: frozenset[str] = vocabulary().phase1_up
#: Every IKE state a playbook may name.
IKE_STATES: frozenset[str] = vocabulary().ike_states


#: IKEv1 main-mode state -> stage reached (1 proposal, 2 key exchange, 3 authentication).
MAIN_MODE_STAGES: dict[str, int] = vocabulary().main_mode_stages


def main_mode_stage(state: str) -> int:
    """How far an IKEv1 main-mode exchange in ``state`` got (0: not a main-mode wait state)."""
    return MAIN_MODE_STAGES.get(state.upper(), 0)


def is_phase1_up(state: str) -> bool:
    """True when an IKE SA in ``state`` has finished phase 1 (main or aggressive mode, IKEv2)."""
    return state.upper() in PHASE1_UP

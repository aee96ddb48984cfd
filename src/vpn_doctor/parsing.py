"""placeholder"""
from vpn_doctor.parsing_ipsec import parse_ipsec_sa
from vpn_doctor.parsing_isakmp import parse_isakmp_sa

__all__ = ["parse_ipsec_sa", "parse_isakmp_sa"]

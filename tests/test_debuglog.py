"""The debug/syslog catalogue: every pattern matches real-shaped lines and nothing else.

Samples are taken from the field guides (shared/seeds), KNOWLEDGE.md's quoted device lines and
the Cisco syslog guide formats (addresses moved into documentation ranges where the source
used real or placeholder ones).
"""

from __future__ import annotations

import pytest

from vpn_doctor.diagnose import messages as D

P = "203.0.113.9"
G = f"Group = {P}, IP = {P}, "
L = "198.51.100.2"

SAMPLES: dict[str, list[str]] = {
    "IKEV1_MM1_RESEND": [
        f"Nov 22 10:20:05 [IKEv1]IP = {P}, IKE_DECODE RESENDING Message (msgid=0) with payloads "
        ": HDR + SA (1) + VENDOR (13) + VENDOR (13) + VENDOR (13) + VENDOR (13) + NONE (0) "
        "total length : 168",
    ],
    "IKEV1_MM3_RESEND": [
        f"Nov 22 10:20:05 [IKEv1]: IP = {P}, IKE_DECODE RESENDING Message (msgid=0) with "
        "payloads : HDR + KE (4) + NONCE (10) + VENDOR (13) + VENDOR (13) + VENDOR (13) + "
        "VENDOR (13) + NONE (0) total length : 256",
    ],
    "IKEV1_MM5_RESEND": [
        f"Nov 22 11:02:18 [IKEv1]IP = {P}, IKE_DECODE RESENDING Message (msgid=0) with payloads "
        ": HDR + ID (5) + HASH (8) + IOS KEEPALIVE (128) + VENDOR (13) + NONE (0) total "
        "length : 96",
    ],
    "IKE_DECODE_RECEIVED": [
        f"Apr 01 11:38:52 [IKEv1]: IP = {P}, IKE_DECODE RECEIVED Message (msgid=0) with "
        "payloads : HDR + KE (4) + NONCE (10) + NONE (0) total length : 228",
    ],
    "IKE_DECODE_SENDING": [
        f"Apr 01 11:38:51 [IKEv1]: IP = {P}, IKE_DECODE SENDING Message (msgid=0) with "
        "payloads : HDR + SA (1) + VENDOR (13) + VENDOR (13) + VENDOR (13) + VENDOR (13) + "
        "NONE (0) total length : 168",
    ],
    "IKEV1_AM1": [
        f"Nov 22 09:00:01 [IKEv1]IP = {P}, IKE_DECODE SENDING Message (msgid=0) with payloads : "
        "HDR + SA (1) + KE (4) + NONCE (10) + ID (5) + VENDOR (13) + NONE (0) total length : 420",
    ],
    "IKEV1_NO_PROPOSAL_CHOSEN_UNENCRYPTED": [
        f"Apr 01 14:48:48 [IKEv1]: IP = {P}, Received an un-encrypted NO_PROPOSAL_CHOSEN notify "
        "message, dropping",
        f"5|Oct 02 2006 09:41:41|713904: IP = {P}, Received an un-encrypted NO_PROPOSAL_CHOSEN "
        "notify message, dropping",
    ],
    "IKEV1_ALL_SA_PROPOSALS_UNACCEPTABLE": [
        f"[IKEv1 DEBUG]: {G}All SA proposals found unacceptable",
    ],
    "IKMP_NO_ERROR_NO_TRANS": [
        f"Nov 22 09:00:01 [IKEv1]IP = {P}, IKMP_NO_ERROR_NO_TRANS",
    ],
    "713257_P2_GROUP": [
        f"%ASA-5-713257: {G}Phase 2 failure: Mismatched attribute types for class Group "
        "Description: Rcv'd: Unknown Cfg'd: Group 14",
    ],
    "713257_P2": [
        f"%ASA-5-713257: {G}Phase 2 failure: Mismatched attribute types for class Encryption "
        "Algorithm: Rcv'd: 3DES Cfg'd: AES-256",
    ],
    "713257": [
        f"Nov 22 2025 10:31:40: %ASA-5-713257: IP = {P}, Phase 1 failure: Mismatched attribute "
        "types for class Group Description: Rcv'd: Group 2 Cfg'd: Group 14",
    ],
    "713904": [
        f"%ASA-5-713904: IP = {P}, Received an un-encrypted INVALID_COOKIE notify message, "
        "dropping",
    ],
    "713903_INFO_EXCHANGE": [
        f"Apr 01 14:48:48 [IKEv1]: IP = {P}, Information Exchange processing failed",
    ],
    "IKEV1_PAYLOAD_MALFORMED": [
        f"Apr 01 15:11:47 [IKEv1]: {G}Received an un-encrypted PAYLOAD_MALFORMED notify "
        "message, dropping",
    ],
    "713903_PEER_WRONG_MESSAGE": [
        f"Apr 01 15:11:47 [IKEv1]: {G}Error, peer has indicated that something is wrong with "
        "our message. This could indicate a pre-shared key mismatch.",
        f":713903: {G}ERROR. peer has indicated that something is wrong with our message.  "
        "This could indicate a pre-shared key mismatch.",
    ],
    "IKEV1_DECRYPT_PROBLEMS": [
        f"Feb 17 12:25:17 [IKEv1]Group = 192.0.2.44, IP = {P}, ERROR, had problems decrypting "
        "packet, probably due to mismatched pre-shared key. Aborting",
    ],
    "IKEV1_INVALID_PAYLOADS": [
        f"Feb 17 12:25:17 [IKEv1]{G}Received encrypted Oakley Main Mode packet with invalid "
        "payloads, MessID = 0",
    ],
    "IKEV1_HEADER_MISSING_SA": [
        f"Feb 17 12:25:23 [IKEv1]IP = {P}, Header invalid, missing SA payload! (next payload = 4)",
    ],
    "IKEV1_NO_TUNNEL_GROUP": [
        f"[IKEv1]: IP = {P}, Can't find a valid tunnel group, aborting...!",
    ],
    "713022": [
        f"%ASA-3-713022: No Group found matching {P} for Pre-shared key peer {P}",
    ],
    "713172_NAT_DETECTED": [
        f"%ASA-6-713172: {G}Automatic NAT Detection Status:     Remote end is NOT behind a NAT "
        "device     This end IS behind a NAT device",
        f"%ASA-6-713172: {G}Automatic NAT Detection Status: Remote end is behind a NAT device "
        "This end is not behind a NAT device",
    ],
    "713172_NO_NAT": [
        f"%ASA-6-713172: {G}Automatic NAT Detection Status:     Remote end is NOT behind a NAT "
        "device     This end is NOT behind a NAT device",
        f"%ASA-6-713172: {G}Automatic NAT Detection Status: Remote end is not behind a NAT "
        "device This end is not behind a NAT device",
    ],
    "713136": [
        f"%ASA-5-713136: IP = {P}, IKE session establishment timed out [MM_WAIT_MSG2], aborting!",
    ],
    "713201": [
        f"%ASA-5-713201: IP = {P}, Duplicate Phase 1 packet detected.  Retransmitting last packet.",
    ],
    "713119": [
        "Dec 04 2014 12:37:51: %ASA-5-713119: Group = 203.0.113.100, IP = 203.0.113.100, "
        "PHASE 1 COMPLETED",
        "Mar 10 2008 18:47:05: %PIX-3-713119: Group = 192.0.2.250, IP = 192.0.2.250, PHASE 1 "
        "COMPLETED",
    ],
    "OAKLEY_PROPOSAL_ACCEPTABLE": [
        f"Apr 01 11:38:52 [IKEv1 DEBUG]: IP = {P}, Oakley proposal is acceptable",
    ],
    "LANDED_ON_TUNNEL_GROUP": [
        f"Apr 01 11:38:52 [IKEv1]: IP = {P}, Connection landed on tunnel_group {P}",
    ],
    "713041": [
        f"Apr 01 11:38:51 [IKEv1]: IP = {P}, IKE Initiator: New Phase 1, Intf inside, IKE Peer "
        f"{P} local Proxy Address 192.168.1.0, remote Proxy Address 172.16.1.0, Crypto map "
        "(outside_map)",
    ],
    "713219": [
        f"%ASA-6-713219: IP = {P}, Queuing KEY-ACQUIRE messages to be processed when P1 SA is "
        "complete.",
    ],
    "713123": [
        f"%ASA-3-713123: {G}IKE lost contact with remote peer, deleting connection (keepalive "
        "type: DPD)",
    ],
    "DPD_KEEPALIVE": [
        f"Nov 22 12:50:10 [IKEv1 DEBUG]{G}Sending keep-alive of type DPD R-U-THERE (seq number "
        "0x3b2a91c0)",
        f"Nov 22 12:50:10 [IKEv1 DEBUG]{G}Received keep-alive of type DPD R-U-THERE-ACK (seq "
        "number 0x3b2a91c0)",
    ],
    "IKE_FSM_ERROR_HISTORY": [
        f"Apr 19 16:36:10 [IKEv1 DEBUG]{G}IKE MM Responder FSM error history (struct "
        "&0x00007ffd9e230670)  <state>, <event>:  MM_DONE, EV_ERROR-->MM_BLD_MSG6, "
        "EV_COMPARE_IDS-->MM_BLD_MSG6",
    ],
    "IKEV1_CERT_PEER_ID": [
        f"Apr 19 16:36:10 [IKEv1]{G}Unable to compare IKE ID against peer cert Subject Alt Name",
    ],
    "717009": [
        "%ASA-3-717009: Certificate validation failed. Peer certificate key usage is invalid, "
        "serial number: 6B00002B3F8571E2605FA02883000100002C3E, subject name: "
        "hostname=router.example.com.",
    ],
    "717027": [
        "%ASA-3-717027: Certificate chain failed validation. Certificate chain is either "
        "invalid or not authorized.",
    ],
    "717031": [
        "%ASA-4-717031: Failed to find a suitable trustpoint for the issuer: cn=Example CA "
        "Reason: No trustpoints found",
    ],
    "713226": [
        f"%ASA-3-713226: Connection failed with peer {P}, no trust-point defined in "
        "tunnel-group TG-HQ",
    ],
    "751006": [
        f"%ASA-3-751006: Local:{L}:500 Remote:{P}:500 Username:Unknown IKEv2 Certificate "
        "authentication failed. Error: Certificate expired",
    ],
    "717022": [
        "%ASA-6-717022: Certificate was successfully validated. serial number: 01, subject "
        "name: cn=vpn.example.net.",
        "%ASA-6-717028: Certificate chain was successfully validated with warning, revocation "
        "status was not checked.",
    ],
    "713061_ANY_ANY": [
        "Dec 04 2014 12:37:51: %ASA-3-713061: Group = 203.0.113.100, IP = 203.0.113.100, "
        "Rejecting IPSec tunnel: no matching crypto map entry for remote proxy "
        "0.0.0.0/0.0.0.0/0/0 local proxy 0.0.0.0/0.0.0.0/0/0 on interface OUTSIDE",
    ],
    "713061": [
        f"%ASA-3-713061: {G}Rejecting IPSec tunnel: no matching crypto map entry for remote "
        "proxy 10.2.20.0/255.255.255.0/0/0 local proxy 10.1.0.0/255.255.0.0/0/0 on interface "
        "outside",
    ],
    "713061_GUIDE": [
        "%ASA-3-713061: Tunnel rejected: Crypto Map Policy not found for Src:10.2.2.0, "
        "Dst: 10.1.1.0 !",
    ],
    "713902_QM_FSM": [
        f"Feb 29 11:49:08 [IKEv1]{G}QM FSM error (P2 struct &0x00007fda92308b10, mess id "
        "0xc02b7a5d)!",
    ],
    "713902_CORRELATOR": [
        f"Feb 29 11:49:08 [IKEv1]{G}Removing peer from correlator table failed, no match!",
    ],
    "713259_CRYPTO_MAP_POLICY": [
        f"Feb 29 11:49:08 [IKEv1]{G}Session is being torn down. Reason: crypto map policy not "
        "found",
    ],
    "713259": [
        f"%ASA-5-713259: {G}Session is being torn down. Reason: User Requested",
    ],
    "113019_CRYPTO_MAP_POLICY": [
        "Dec 04 2014 12:37:51: %ASA-4-113019: Group = 203.0.113.100, Username = 203.0.113.100, "
        "IP = 203.0.113.100, Session disconnected. Session Type: LAN-to-LAN, Duration: "
        "0h:00m:00s, Bytes xmt: 0, Bytes rcv: 0, Reason: crypto map policy not found",
    ],
    "113019_PHASE2_MISMATCH": [
        f"%ASA-4-113019: Group = {P}, Username = {P}, IP = {P}, Session disconnected. Session "
        "Type: LAN-to-LAN, Duration: 0h:00m:00s, Bytes xmt: 0, Bytes rcv: 0, Reason: Phase 2 "
        "Mismatch",
    ],
    "113019_LOST_SERVICE": [
        f"%ASA-4-113019: Group = {P}, Username = {P}, IP = {P}, Session disconnected. Session "
        "Type: LAN-to-LAN, Duration: 3d 4h:11m:52s, Bytes xmt: 1843302, Bytes rcv: 1790114, "
        "Reason: Lost Service",
    ],
    "113019_PEER_TERMINATE": [
        f"%ASA-4-113019: Group = {P}, Username = {P}, IP = {P}, Session disconnected. Session "
        "Type: LAN-to-LAN, Duration: 1h:02m:11s, Bytes xmt: 1024, Bytes rcv: 2048, Reason: "
        "Peer Terminate",
    ],
    "113019_IDLE_TIMEOUT": [
        f"%ASA-4-113019: Group = {P}, Username = {P}, IP = {P}, Session disconnected. Session "
        "Type: LAN-to-LAN, Duration: 0h:31m:07s, Bytes xmt: 18340, Bytes rcv: 17912, Reason: "
        "Idle Timeout",
    ],
    "113019": [
        f"%ASA-4-113019: Group = {P}, Username = {P}, IP = {P}, Session disconnected. Session "
        "Type: LAN-to-LAN, Duration: 0h:05m:00s, Bytes xmt: 10, Bytes rcv: 20, Reason: "
        "Administrator Reset",
    ],
    "713050": [
        f"%ASA-5-713050: {G}Connection terminated for peer {P}.  Reason: IPsec SA Idle Timeout  "
        "Remote Proxy 172.31.0.0, Local Proxy 0.0.0.0",
    ],
    "IKEV1_ALL_IPSEC_PROPOSALS_UNACCEPTABLE": [
        f"Nov 22 12:30:51 [IKEv1]{G}All IPSec SA proposals found unacceptable!",
    ],
    "713068_NO_PROPOSAL": [
        f"%ASA-5-713068: {G}Received non-routine Notify message: No proposal chosen (14)",
        f"713068: Group = {P}, Received non-routine Notify message: No Proposal chosen (14)",
        f"1754 11/29/2001 16:20:18.500 {G}Received non-routine Notify message: No Proposal Chosen",
    ],
    "713068_INVALID_ID": [
        f"1754 11/29/2001 16:20:18.500 {G}Received non-routine Notify message: Invalid ID info "
        "(18)",
    ],
    "713068": [
        f"%ASA-5-713068: {G}Received non-routine Notify message: Unknown (24578)",
    ],
    "ACL_DOES_NOT_MATCH_PROXY": [
        f"1754 11/29/2001 16:20:18.500 {G}Static Crypto Map check, map = mymap, seq = 10, ACL "
        "does not match proxy IDs src:10.2.2.0 dst:10.1.1.0",
    ],
    "NO_MATCHING_SA_ENCRYPTED": [
        f"713904: IP = {P}, Received encrypted packet with no matching SA, dropping",
    ],
    "713048": [
        f"%ASA-3-713048: {G}Error processing payload: Payload ID: 1",
        f"713048: IP = {P}, Error processing payload. Payload ID 1",
    ],
    "QM_SENT_WITH_PFS": [
        f"Nov 22 12:41:02 [IKEv1]IP = {P}, IKE_DECODE SENDING Message (msgid=518e80d2) with "
        "payloads : HDR + HASH (8) + SA (1) + NONCE (10) + KE (4) + ID (5) + ID (5) + NOTIFY "
        "(11) + NONE (0) total length : 480",
    ],
    "QM_RECEIVED_WITH_PFS": [
        f"Nov 22 12:01:44 [IKEv1]IP = {P}, IKE_DECODE RECEIVED Message (msgid=6a3e91bd) with "
        "payloads : HDR + HASH (8) + SA (1) + NONCE (10) + KE (4) + ID (5) + ID (5) + NONE (0) "
        "total length : 452",
    ],
    "QM_WITHOUT_PFS": [
        f"Nov 22 12:30:51 [IKEv1]IP = {P}, IKE_DECODE RECEIVED Message (msgid=d70c1a42) with "
        "payloads : HDR + HASH (8) + SA (1) + NONCE (10) + ID (5) + ID (5) + NONE (0) total "
        "length : 172",
    ],
    "713042": [
        "%ASA-3-713042: IKE Initiator unable to find policy: Intf inside, Src: 10.1.1.5, "
        "Dst: 10.2.2.5",
    ],
    "NO_CRYPTO_MAP_BOUND": [
        f"Feb 16 13:36:40 [IKEv1]: IP = {P}, No crypto map bound to interface... dropping pkt",
    ],
    "752011": ["%ASA-4-752011: IKEv1 Doesn't have a transform set specified"],
    "752010": ["%ASA-4-752010: IKEv2 Doesn't have a proposal specified"],
    "752009": ["%ASA-4-752009: IKEv2 Doesn't support Multiple Peers"],
    "752006": [
        f"%ASA-3-752006: Tunnel Manager failed to dispatch a KEY_ACQUIRE message. Probable "
        f"mis-configuration of the crypto map or tunnel-group. Map Tag = outside_map. Map "
        f"Sequence Number = 10. Peer = {P}",
    ],
    "752015": [
        "%ASA-3-752015: Tunnel Manager has failed to establish an L2L SA.  All configured IKE "
        "versions failed to establish the tunnel. Map Tag= outside_map.  Map Sequence Number "
        "= 10.",
    ],
    "752012": [
        "%ASA-4-752012: IKEv2 was unsuccessful at setting up a tunnel.  Map Tag = outside_map. "
        " Map Sequence Number = 10.",
    ],
    "713258": [
        f"%ASA-3-713258: IP = {P}, Attempting to establish a phase2 tunnel on outside2 "
        "interface but phase1 tunnel is on outside interface. Tearing down old phase1 tunnel "
        "due to a potential routing change.",
    ],
    "LIFETIME_OVERRIDE": [
        f"%ASA-5-713073: {G}Responder forcing change of Phase 1 rekeying duration from 86400 "
        "to 28800 seconds",
        f"%ASA-5-713075: {G}Overriding Initiator's IPSec rekeying duration from 28800 to 3600 "
        "seconds",
    ],
    "713049": [
        f"%ASA-5-713049: {G}Security negotiation complete for LAN-to-LAN Group ({P})  "
        "Initiator, Inbound SPI = 0x48b456a6, Outbound SPI = 0x6d9f8d3b",
    ],
    "713120": [
        "Mar 10 2008 18:47:05: %PIX-5-713120: Group = 192.0.2.250, IP = 192.0.2.250, PHASE 2 "
        "COMPLETED (msgid=0f78e513)",
    ],
    "602303": [
        f"%ASA-6-602303: IPSEC: An outbound LAN-to-LAN SA (SPI= 0x6D9F8D3B) between {L} and "
        f"{P} (user= {P}) has been created.",
    ],
    "PFKEY_DELETE": [
        "IPSEC DEBUG: Received a DELETE PFKey message from IKE for an inbound SA (SPI 0x12345678)",
    ],
    "713194": [
        f"%ASA-3-713194: {G}Sending IKE Delete With Reason message: No Reason Provided.",
    ],
    "REJECT_NEW_NEGOTIATION": [
        f"%ASA-3-713227: Rejecting new IPsec SA negotiation for peer {P}. A negotiation was "
        "already in progress for local Proxy 10.1.1.0/255.255.255.0, remote Proxy "
        "10.2.2.0/255.255.255.0",
    ],
    "402116": [
        f"%ASA-4-402116: IPSEC: Received an ESP packet (SPI= 0x72DEC2AA, sequence number= "
        f"0x41) from {P} (user= {P}) to {L}.  The decapsulated inner packet doesn't match "
        "the negotiated policy in the SA.  The packet specifies its destination as 10.1.1.25, "
        "its source as 192.168.60.14, and its protocol as 6.  The SA specifies its local proxy "
        "as 10.1.1.0/255.255.255.0/0/0 and its remote_proxy as 10.2.27.0/255.255.255.0/0/0.",
    ],
    "402116_SHORT": [
        "The decapsulated inner packet doesn't match the negotiated policy in the SA. (truncated",
    ],
    "402117": [
        f"%ASA-4-402117: IPSEC: Received a non-IPSec packet (protocol= ICMP) from {P} to {L}.",
    ],
    "402119": [
        f"%ASA-4-402119: IPSEC: Received an ESP packet (SPI= 0x5B7E0D19, sequence number= "
        f"0xD7A1) from {P} (user= {P}) to {L} that failed anti-replay checking.",
    ],
    "402120": [
        f"%ASA-4-402120: IPSEC: Received an ESP packet (SPI= 0x5B7E0D19, sequence number= "
        f"0xD7A1) from {P} (user= {P}) to {L} that failed authentication.",
    ],
    "402121": [
        f"%ASA-4-402121: IPSEC: Received an ESP packet (SPI= 0x5B7E0D19, sequence number= "
        f"0xD7A1) from {P} (user= {P}) to {L} that was dropped by IPSec (Invalid pad length).",
        "%ASA-4-402122: IPSEC: Received a cleartext packet from 10.1.1.5 to 10.2.2.5 that was "
        "to be encapsulated in IPSec that was dropped by IPSec (SA not found).",
    ],
    "402114": [
        f"%ASA-4-402114: IPSEC: Received an ESP packet (SPI= 0x1234ABCD, sequence number= 0x1) "
        f"from {P} to {L} with an invalid SPI.",
    ],
    "750002": [
        f"%ASA-5-750002: Local:{L}:500 Remote:{P}:500 Username:Unknown Received a IKE_INIT_SA "
        "request",
    ],
    "750003_TS": [
        f"%ASA-4-750003: Local:{L}:500 Remote:{P}:500 Username:{P} IKEv2 Negotiation aborted "
        "due to ERROR: There was no IPSEC policy found for received TS",
    ],
    "750003_AUTH_TIMEOUT": [
        "%ASA-4-750003: Local:192.0.2.8:500 Remote:203.0.113.5:500 Username:Unknown IKEv2 "
        "Negotiation aborted due to ERROR: Failed to receive the AUTH msg before the timer "
        "expired",
    ],
    "750003": [
        f"%ASA-4-750003: Local:{L}:500 Remote:{P}:500 Username:Unknown IKEv2 Negotiation "
        "aborted due to ERROR: Create child SA exchange timed out",
    ],
    "751022": [
        f"%ASA-3-751022: Local:{L} Remote:{P} Username:{P} Tunnel rejected: Crypto Map Policy "
        "not found for remote traffic selector 10.2.2.0/10.2.2.255/0/65535/0 local traffic "
        "selector 10.1.1.0/10.1.1.255/0/65535/0!",
    ],
    "751027": [
        f"%ASA-4-751027: Local:{L}:500 Remote:{P}:500 Username:{P} IKEv2 Received "
        "INVALID_SELECTORS Notification from peer. Peer received a packet (SPI=0x1a2b3c4d). "
        "The decapsulated inner packet didn\u2019t match the negotiated policy in the SA.",
    ],
    "750011": [
        f"%ASA-3-750011: Local:{L}:500 Remote:{P}:500 Username:{P} Tunnel Rejected: Selected "
        "IKEv2 encryption algorithm (DES) is not strong enough to secure proposed IPSEC "
        "encryption algorithm (AES-GCM-256).",
    ],
    "751008": [
        f"%ASA-3-751008: Local:{L}:500 Remote:{P}:500 Username:{P} Group={P}, Tunnel rejected: "
        "IKEv2 not enabled in group policy",
    ],
    "751009": [
        f"%ASA-3-751009: Local:{L}:500 Remote:{P}:500 Username:Unknown Unable to find tunnel "
        "group for peer.",
        "IKEv2-PLAT-1: Can't find tunnel group for peer",
    ],
    "751002_751004": [
        f"%ASA-3-751004: Local:{L}:500 Remote:{P}:500 Username:Unknown No remote "
        f"authentication method configured for peer in tunnel group {P}",
        f"%ASA-3-751002: Local:{L}:500 Remote:{P}:500 Username:{P} No pre-shared key or "
        f"trustpoint configured for self in tunnel group {P}",
    ],
    "750014": [
        f"%ASA-4-750014: Local:{L}:500 Remote:{P}:500 Username:{P} IKEv2 Session aborted. "
        f"Reason: Initial Contact received for Local ID: {L}, Remote ID: {P}",
    ],
    "750015": [
        f"%ASA-4-750015: Local:{L}:500 Remote:{P}:500 Username:{P} IKEv2 deleting IPSec SA. "
        "Reason: invalid SPI notification received for SPI 0x1a2b3c4d; local traffic "
        "selector = 10.1.1.0",
    ],
    "750005": [
        f"%ASA-5-750005: Local:{L}:500 Remote:{P}:500 Username:{P} IPsec rekey collision "
        "detected. I am lowest nonce initiator, deleting SA with inbound SPI 0x1a2b3c4d",
    ],
    "750006": [
        f"%ASA-5-750006: Local:{L}:500 Remote:{P}:500 Username:{P} IKEv2 SA UP. Reason: New "
        "Connection Established",
    ],
    "750007": [
        f"%ASA-5-750007: Local:{L}:500 Remote:{P}:500 Username:{P} IKEv2 SA DOWN. Reason: "
        "peer lost",
    ],
    "750001": [
        f"%ASA-5-750001: Local:{L}:500 Remote:{P}:500 Username:{P} Received request to "
        "establish an IPsec tunnel; local traffic selector = Address Range: 10.1.1.0-10.1.1.255 "
        "Protocol: 0 Port Range: 0-65535 ; remote traffic selector = Address Range: "
        "10.2.2.0-10.2.2.255 Protocol: 0 Port Range: 0-65535",
    ],
    "IKEV2_NO_MATCHING_POLICY": [
        "IKEv2-PROTO-1: (16): Failed to find a matching policy",
    ],
    "IKEV2_PEER_NO_PROPOSAL": [
        "IKEv2-PROTO-1: (12): Received no proposal chosen notify",
    ],
    "IKEV2_NOTIFY_NO_PROPOSAL": [
        "IKEv2-PROTO-2: (12): Parse Notify Payload: NO_PROPOSAL_CHOSEN NOTIFY(NO_PROPOSAL_CHOSEN)",
    ],
    "IKEV2_NO_RESPONSE": [
        "IKEv2-PROTO-4: (34): SM Trace-> SA: I_SPI=5B1E43C2D9A1F0E7 R_SPI=0000000000000000 (I) "
        "MsgID = 00000000 CurState: I_WAIT_INIT Event: EV_NO_EVENT",
    ],
    "IKEV2_RETRANSMIT": [
        "IKEv2-PROTO-4: (34): Retransmitting packet",
    ],
    "IKEV2_AUTH_FAILED_NOTIFY": [
        "IKEv2-PROTO-2: (20): Parse Notify Payload: AUTHENTICATION_FAILED",
    ],
    "IKEV2_AUTH_FAILED": ["IKEv2-PROTO-1: (20): Failed to authenticate the IKE SA"],
    "IKEV2_VERIFY_AUTH_FAILED": ["IKEv2-PROTO-1: (20): Verify auth failed"],
    "IKEV2_AUTH_VALUE_DIFFERS": [
        "IKEv2-PROTO-1: (20): Computed authentication value for peer differs from what peer sent",
    ],
    "IKEV2_AUTH_METHOD_MISMATCH": [
        "IKEv2-PROTO-1: (20): Peer authentication method configured is mismatching with the "
        "method proposed by peer",
    ],
    "AWS_PSK_MISMATCH": [
        "AWS tunnel payload decryption was unsuccessful due to invalid Pre-shared Key",
        "AWS tunnel detected a pre-shared key mismatch with cgw: 198.51.100.2",
    ],
    "AWS_NO_PROPOSAL_P1": ["No Proposal Match Found by AWS"],
    "AWS_NO_PROPOSAL_P2": ['No Proposal Match Found. Notifying with "No proposal chosen"'],
    "AWS_TS_UNACCEPTABLE": ["AWS: Traffic Selector: TS_UNACCEPTABLE: received from responder"],
    "AWS_DPD_IKEV1": ["Peer is not responsive - Declaring peer dead"],
    "AWS_DPD_IKEV2": ["AWS tunnel DPD timed out after 3 retransmits"],
}

UNRELATED = [
    "IKEv1 SAs:",
    "   Active SA: 1",
    "    Rekey SA: 0 (A tunnel will report 1 Active and 1 Rekey SA during rekey)",
    f"1   IKE Peer: {P}",
    "    Type    : L2L             Role    : initiator",
    "    Rekey   : no              State   : MM_ACTIVE",
    "There are no IKEv2 SAs",
    "There are no ipsec sas",
    "      #pkts encaps: 1523, #pkts encrypt: 1523, #pkts digest: 1523",
    "      #send errors: 0, #recv errors: 0",
    "         in use settings ={L2L, Tunnel, PFS Group 14, IKEv1, }",
    "  IKE Neg Mode : Main                   Auth Mode    : preSharedKeys",
    "crypto map outside_map 10 set pfs group14",
    "tunnel-group 203.0.113.9 ipsec-attributes",
    " ikev1 pre-shared-key *****",
    "%ASA-6-302013: Built outbound TCP connection 1234 for outside:203.0.113.9/443 "
    "(203.0.113.9/443) to inside:10.1.1.5/51515 (198.51.100.2/51515)",
    "%ASA-6-305011: Built dynamic TCP translation from inside:10.1.1.5/51515 to "
    "outside:198.51.100.2/51515",
    "%ASA-5-111008: User 'admin' executed the 'show crypto isakmp sa' command.",
    "%ASA-7-609001: Built local-host outside:203.0.113.9",
    f"Nov 22 10:52:30 [IKEv1 DEBUG]IP = {P}, processing SA payload",
    f"Nov 22 10:52:30 [IKEv1 DEBUG]{G}Generating keys for Initiator...",
    "fw1# show crypto ipsec sa",
    "",
]


def test_every_pattern_has_samples() -> None:
    ids = {p.id for p in D.CATALOGUE}
    assert ids == set(SAMPLES), (sorted(ids - set(SAMPLES)), sorted(set(SAMPLES) - ids))


def test_pattern_ids_unique() -> None:
    ids = [p.id for p in D.CATALOGUE]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("pattern_id", "line"), [(pid, line) for pid, lines in SAMPLES.items() for line in lines]
)
def test_sample_matches_its_pattern(pattern_id: str, line: str) -> None:
    pat = D.pattern_by_id(pattern_id)
    assert pat.guard in line, f"guard {pat.guard!r} missing: the pre-filter would skip it"
    matched = {e.pattern.id for e in D.match_line(line)}
    assert pattern_id in matched, matched


@pytest.mark.parametrize("line", UNRELATED)
def test_unrelated_lines_match_nothing(line: str) -> None:
    assert D.match_lines([line]) == []


def test_implies_are_contract_codes() -> None:
    for p in D.CATALOGUE:
        assert p.implies is None or p.implies in D.FINDING_CODES, p.id
        assert p.phase in (1, 2, None)
        assert p.confidence in ("V", "S", "I", "U")
        assert p.strength in ("decisive", "supporting")
        assert p.title and p.meaning and p.guard


def test_unverified_patterns_say_so() -> None:
    for p in D.CATALOGUE:
        if p.confidence == "U":
            assert p.note, f"{p.id}: [U] pattern without a note saying what is unverified"


def test_decisive_patterns_imply_a_code() -> None:
    for p in D.CATALOGUE:
        if p.strength == "decisive":
            assert p.implies is not None, p.id


def test_required_messages_are_catalogued() -> None:
    for key in (
        "713061", "713902", "713259", "113019", "713903", "713068", "713048", "402116",
        "717009", "717027", "713904", "713172", "752011", "713119", "713120", "750002",
        "750003", "751022", "750014", "750015",
    ):  # fmt: skip
        assert D.lookup(key), key


def test_no_proposal_phase_distinction() -> None:
    p1 = D.match_lines(SAMPLES["IKEV1_NO_PROPOSAL_CHOSEN_UNENCRYPTED"][:1])
    qm = D.match_lines(SAMPLES["713068_NO_PROPOSAL"][:1])
    assert [(e.pattern.phase, e.implies) for e in p1] == [(1, "IKE_PROPOSAL_MISMATCH")]
    assert [(e.pattern.phase, e.implies) for e in qm] == [(2, "IPSEC_TRANSFORM_MISMATCH")]
    ipsec = D.match_lines(SAMPLES["IKEV1_ALL_IPSEC_PROPOSALS_UNACCEPTABLE"])
    ike = D.match_lines(SAMPLES["IKEV1_ALL_SA_PROPOSALS_UNACCEPTABLE"])
    assert [e.pattern.id for e in ipsec] == ["IKEV1_ALL_IPSEC_PROPOSALS_UNACCEPTABLE"]
    assert [e.pattern.id for e in ike] == ["IKEV1_ALL_SA_PROPOSALS_UNACCEPTABLE"]


def test_specific_pattern_suppresses_fallback() -> None:
    ev = D.match_lines(SAMPLES["713061_ANY_ANY"])
    assert [e.pattern.id for e in ev] == ["713061_ANY_ANY"]
    ev = D.match_lines(SAMPLES["113019_CRYPTO_MAP_POLICY"])
    assert [e.pattern.id for e in ev] == ["113019_CRYPTO_MAP_POLICY"]
    ev = D.match_lines(SAMPLES["113019"])
    assert [e.pattern.id for e in ev] == ["113019"]
    assert ev[0].fields["reason"] == "Administrator Reset"


def test_fields_are_captured() -> None:
    (ev,) = D.match_lines(SAMPLES["713061"])
    assert ev.fields["rproxy"] == "10.2.20.0/255.255.255.0/0/0"
    assert ev.fields["lproxy"] == "10.1.0.0/255.255.0.0/0/0"
    (ev,) = D.match_lines(SAMPLES["402116"])
    assert ev.fields["pkt_src"] == "192.168.60.14"
    assert ev.fields["rproxy"] == "10.2.27.0/255.255.255.0/0/0"
    (ev,) = D.match_lines(SAMPLES["713136"])
    assert ev.fields["state"] == "MM_WAIT_MSG2"


@pytest.mark.parametrize(
    ("line", "peer"),
    [
        (SAMPLES["713061"][0], P),
        (SAMPLES["IKEV1_MM1_RESEND"][0], P),
        (SAMPLES["IKEV1_DECRYPT_PROBLEMS"][0], P),  # IP = wins over a different Group =
        (SAMPLES["750002"][0], P),  # Remote:x:500
        (SAMPLES["402116"][0], P),  # from x (user=
        (SAMPLES["713022"][0], P),
        (SAMPLES["713061_GUIDE"][0], None),
        (SAMPLES["717009"][0], None),
        ("%PIX-5-713120: Group = 192.0.2.250, PHASE 2 COMPLETED (msgid=1)", "192.0.2.250"),
    ],
)  # fmt: skip
def test_peer_extraction(line: str, peer: str | None) -> None:
    assert D.extract_peer(line) == peer
    evs = D.match_lines([line])
    assert evs and all(e.peer == peer for e in evs)


def test_evidence_for_peer_and_unattributed() -> None:
    lines = [
        SAMPLES["713061"][0],
        SAMPLES["717009"][0],
        SAMPLES["402119"][0].replace(P, "192.0.2.7"),
    ]
    evs = D.match_lines(lines)
    assert [e.line_no for e in D.evidence_for_peer(evs, P)] == [0]
    assert [e.line_no for e in D.evidence_for_peer(evs, P, include_unattributed=True)] == [0, 1]


def test_unanswered_resends() -> None:
    sent = SAMPLES["IKE_DECODE_SENDING"][0]
    resend = SAMPLES["IKEV1_MM1_RESEND"][0]
    received = SAMPLES["IKE_DECODE_RECEIVED"][0]
    assert len(D.unanswered_resends(D.match_lines([sent, resend, resend]), P)) == 1
    assert D.unanswered_resends(D.match_lines([sent, resend, received]), P) == []
    assert D.unanswered_resends(D.match_lines([sent, resend]), "192.0.2.1") == []


def test_codes_implied_puts_decisive_first() -> None:
    lines = [SAMPLES["713902_QM_FSM"][0], SAMPLES["713048"][0], SAMPLES["713061"][0]]
    assert D.codes_implied(D.match_lines(lines))[0] == "IPSEC_PROXY_MISMATCH"


def test_lookup_forms() -> None:
    ids = {p.id for p in D.lookup("%ASA-3-713061")}
    assert ids == {"713061", "713061_ANY_ANY", "713061_GUIDE"}
    assert {p.id for p in D.lookup("ASA-3-713061:")} == ids
    assert [p.id for p in D.lookup("713075")] == ["LIFETIME_OVERRIDE"]
    assert [p.id for p in D.lookup("ikev1_payload_malformed")] == ["IKEV1_PAYLOAD_MALFORMED"]
    assert {p.id for p in D.lookup("113019")} >= {"113019", "113019_LOST_SERVICE"}
    assert D.lookup("999999") == []


def test_matching_a_large_capture_finds_every_hit() -> None:
    """Thousands of lines, most of them noise: every known line is found (speed: bench/)."""
    noise = [
        f"Nov 22 10:52:30 [IKEv1 DEBUG]IP = {P}, processing SA payload",
        "%ASA-6-302013: Built outbound TCP connection 1 for outside:203.0.113.9/443",
        "      #pkts encaps: 1523, #pkts encrypt: 1523, #pkts digest: 1523",
    ]
    hits = [lines[0] for lines in SAMPLES.values()]
    lines = (noise * 30 + hits) * 20  # ~4,200 lines, ~2,400 of them matching something
    evs = D.match_lines(lines)
    assert len(evs) >= len(hits) * 20

// The kernel tier's maps, shared by the tc programs (gb1-tc.bpf.c, compiled for BPF) and the
// C++ loader (native/src/kernel/): one layout, no copy. Plain C with fixed-width fields, no
// pointers, explicit padding, so both compilers lay every struct out the same way.
#pragma once

#include <linux/types.h>

#define GB_KP_MAX_GROUPS 16
#define GB_KP_MAX_RULES 16
#define GB_KP_MAX_DESTINATIONS 16
#define GB_KP_MAX_UPLINKS 4
// Sequence-number slots (mmapable array): the daemon gives each group address a slot that stays
// its own across reloads, and the user-space engine fetch-and-adds in the same memory.
#define GB_KP_SEQ_SLOTS 64
#define GB_KP_SENDERS 4096
#define GB_KP_RECENT 8192  // a power of two: slot = fingerprint % GB_KP_RECENT
#define GB_KP_DELIVERED 65536
// APPIDs the kernel tier keeps per-APPID counters for (gb_appids); a frame of one more APPID
// passes up to the user-space engine, whose block has a row for every APPID.
#define GB_KP_APPIDS 1024
// Longest carried frame the kernel tier hashes (a fingerprint per frame); longer ones pass up.
#define GB_KP_MAX_FRAME 9216

// Windows of the loop guard and the copy discard: the engine's kLoopWindowUs / kCopyWindowUs.
#define GB_KP_LOOP_WINDOW_NS 500000000ULL
#define GB_KP_COPY_WINDOW_NS 500000000ULL
// The sender table's duplicate window (kSeqWindow).
#define GB_KP_SEQ_WINDOW 64

// Order across the tiers. A datagram from_wan passes up to user space is stamped in skb->mark:
// the tag, the CPU that handled it, and that CPU's running count of datagrams passed up for the
// group (gb_passed). The engine reads the stamp (SO_RCVMARK) and, once the frame is written,
// stores the count in gb_drained[slot * GB_KP_DRAIN_CPUS + cpu]. A sender with a datagram passed
// up (gb_slow) has its later datagrams passed up too until user space drained its stamps (one
// CPU's socket enqueues are in stamp order), or at most GB_KP_SLOW_MAX_NS.
#define GB_KP_STAMP_TAG 0xb0000000u
#define GB_KP_STAMP_TAG_MASK 0xf0000000u
#define GB_KP_STAMP_CPU_SHIFT 20
#define GB_KP_STAMP_MASK 0xfffffu
#define GB_KP_DRAIN_CPUS 256
#define GB_KP_SLOW_SENDERS 1024
#define GB_KP_SLOW_MAX_NS 1000000000ULL

enum gb_kp_flag {
  GB_KP_ENABLE_SV = 1 << 0,
  GB_KP_ENABLE_GSE = 1 << 1,
  GB_KP_CHECK_APPID_RANGE = 1 << 2,
  GB_KP_ALLOW_LIST = 1 << 3,     // gb_allow holds the APPID allow-list (else every APPID)
  GB_KP_GATEWAY = 1 << 4,        // a shared LAN or gateway pairs: everything passes up (echo and loop guards)
  GB_KP_TO_WAN = 1 << 5,         // to_wan forwards (else passes every frame up)
  GB_KP_FROM_WAN = 1 << 6,       // from_wan delivers (else passes every datagram up)
  GB_KP_L2_INGRESS = 1 << 7,     // redirect into the L2 side as received (a TAP), else its egress
};

struct gb_kp_group {
  __u32 addr;      // IPv4 group address, network byte order
  __u16 seq_slot;  // index into gb_seq
  __u16 receive;   // 1: from_wan delivers this group's datagrams (joined)
};

struct gb_kp_rule {  // group map: APPID or destination-MAC range → group index (first match)
  __u64 lo, hi;
  __u32 group;
  __u32 mac;  // 1: the range is of destination MACs (48-bit), 0: of APPIDs
};

struct gb_kp_range {
  __u64 lo, hi;
};

struct gb_kp_uplink {
  __u32 ifindex;
  __u32 addr;  // IPv4 source address, network byte order
  __u8 mac[6];
  __u8 pad[2];
};

// gb_config[gb_active[0]]. generation 0 = not configured: both programs pass everything up.
struct gb_kp_config {
  __u64 generation;
  __u64 own_sender;  // GB1 sender id, as the header carries it (big-endian on the wire)
  __u32 flags;       // gb_kp_flag
  __u32 max_frame;   // longest frame sent (path MTU minus IPv4, UDP and GB1 headers)
  __u32 max_datagram;  // buffer_size: longest GB1 datagram accepted
  __u32 l2_mtu;
  __u32 l2_ifindex;  // goose0 (or the gateway's LAN NIC)
  __u16 port;        // UDP destination port, network byte order
  __u16 src_port;    // UDP source port of what the kernel tier sends, network byte order
  __u8 ttl;
  __u8 tos;
  __u8 group_count;
  __u8 rule_count;
  __u8 destination_count;
  __u8 uplink_count;
  __u8 pad[2];
  struct gb_kp_group groups[GB_KP_MAX_GROUPS];
  struct gb_kp_rule rules[GB_KP_MAX_RULES];
  // Destination MACs allowed into the L2 side besides IEC 61850's (the group map's MAC rules).
  struct gb_kp_range destinations[GB_KP_MAX_DESTINATIONS];
  struct gb_kp_uplink uplinks[GB_KP_MAX_UPLINKS];
  // Gate calibration (a test knob, zero unless GB_TEST_KNOBS=1 allows it: calibration.h): to_wan
  // busy-waits spin_ns on every frame it handles, and stall_ns more once every stall_period_ns.
  __u64 spin_ns;
  __u64 stall_period_ns;
  __u64 stall_ns;
};

// gb_allow[0]: one bit per APPID.
struct gb_kp_allow {
  __u64 bits[65536 / 64];
};

// gb_senders and gb_slow (LRU hashes): per sender of one group. `group` is the group's sequence
// slot, which a group address keeps across reloads (its index in the group list may change).
struct gb_kp_sender_key {
  __u64 sender;
  __u32 group;
  __u32 pad;
};

struct gb_kp_sender {
  __u64 window;  // bit i: sequence (highest - i) received
  __u32 highest;
  __u32 pad;
};

// gb_recent_read[fp % GB_KP_RECENT]: a frame sent to the WAN (the loop guard).
struct gb_kp_recent {
  __u64 fp;  // 0: empty (a fingerprint is never 0)
  __u64 at_ns;
};

// gb_slow: the sender's datagrams pass up while one of its stamps (cpu[i], stamp[i]; cpu
// GB_KP_DRAIN_CPUS: unused) is not drained, or while `timed` (a stamp it could not keep), until
// `until_ns`.
#define GB_KP_SLOW_CPUS 4
struct gb_kp_slow {
  __u64 until_ns;
  __u32 stamp[GB_KP_SLOW_CPUS];
  __u16 cpu[GB_KP_SLOW_CPUS];
  __u32 timed;
  __u32 pad;
};

// gb_delivered (LRU hash, key: frame fingerprint): the copy discard (delivered-frames.h), also
// the user-space engine's for what it delivers behind from_wan (shared-delivered.h).
struct gb_kp_delivered {
  __u64 origin;
  __u64 first_ns;  // CLOCK_MONOTONIC (bpf_ktime_get_ns), whichever tier wrote it
  __u32 paths;  // bit p: path p carried a copy
  __u32 first_path;
};

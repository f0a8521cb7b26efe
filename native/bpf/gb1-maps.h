// The kernel tier's maps and counter layout as the tc programs (gb1-tc.bpf.c) declare them; the
// structs the loader shares are in gb1-kernel.h. BPF only: included once, after counter-ids.h.
#pragma once

struct counter_block {
  __u64 slot[GB_ALL_SLOTS];
  // Datagrams received per group, by the group's gb_seq slot (stable across reloads): the
  // membership monitor's evidence that a group still flows.
  __u64 group_datagrams[GB_KP_SEQ_SLOTS];
};
_Static_assert(!(GB_KP_SEQ_SLOTS & (GB_KP_SEQ_SLOTS - 1)) && !(GB_KP_MAX_GROUPS & (GB_KP_MAX_GROUPS - 1)),
               "powers of two: indexes are masked for the verifier");

// One APPID's counters (engine-tables.h's GB_APPID_COUNTERS).
struct app_row {
  __u64 slot[GB_APPID_COUNTER_COUNT];
};

// Two configs and which one is live: the loader writes the other and then flips gb_active, so a
// packet sees one whole config.
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, struct gb_kp_config);
} gb_config SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u32);
} gb_active SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct gb_kp_allow);
} gb_allow SEC(".maps");

// Per-group sequence numbers, mmapable: the user-space engine takes its numbers from the same
// words (atomic fetch-and-add on both sides; mmapped, entry i's word is at byte 8 i), so a
// sender's numbers stay monotonic across CPUs and tiers.
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, GB_KP_SEQ_SLOTS);
  __uint(map_flags, BPF_F_MMAPABLE);
  __type(key, __u32);
  __type(value, __u32);
} gb_seq SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, GB_KP_SENDERS);
  __type(key, struct gb_kp_sender_key);
  __type(value, struct gb_kp_sender);
} gb_senders SEC(".maps");

// Order across the tiers (gb1-kernel.h, GB_KP_STAMP_*): per group slot and CPU, the count of
// datagrams passed up (stamped in skb->mark), the count user space drained (written by the engine
// through mmap), and the senders whose datagrams pass up until it drained theirs.
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, GB_KP_SEQ_SLOTS);
  __type(key, __u32);
  __type(value, __u32);
} gb_passed SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, GB_KP_SEQ_SLOTS * GB_KP_DRAIN_CPUS);
  __uint(map_flags, BPF_F_MMAPABLE);
  __type(key, __u32);
  __type(value, __u32);
} gb_drained SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, GB_KP_SLOW_SENDERS);
  __type(key, struct gb_kp_sender_key);
  __type(value, struct gb_kp_slow);
} gb_slow SEC(".maps");

// Frames forwarded to the WAN lately, by fingerprint: the loop guard. Direct-mapped like the
// engine's RecentFrames (recent-frames.h): slot fp % GB_KP_RECENT; a collision only forgets. An
// array slot is found by inlined arithmetic, where a hash map's update would take a bucket lock
// and an LRU node per frame. Mmapable: the user-space engine keeps and checks it too (shared-recent.h).
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, GB_KP_RECENT);
  __uint(map_flags, BPF_F_MMAPABLE);
  __type(key, __u32);
  __type(value, struct gb_kp_recent);
} gb_recent_read SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, GB_KP_DELIVERED);
  __type(key, __u64);
  __type(value, struct gb_kp_delivered);
} gb_delivered SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct counter_block);
} gb_counters SEC(".maps");

// Per-APPID counters, key: the APPID. Never evicted (they are totals since start): when full, a
// frame of another APPID passes up to the user-space engine, which counts every APPID.
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
  __uint(max_entries, GB_KP_APPIDS);
  __type(key, __u32);
  __type(value, struct app_row);
} gb_appids SEC(".maps");

// Test hook: a clock set by the test (ns); 0 = bpf_ktime_get_ns().
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} gb_clock SEC(".maps");

// Gate calibration: when the next stall is due (ns), shared by all CPUs like the engine's one thread.
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} gb_calibration SEC(".maps");

// The kernel tier's order rule across the tiers (gb1-kernel.h, GB_KP_STAMP_*; docs/data-plane.md):
// what from_wan passes up is stamped, and a sender's later datagrams follow it up until user space
// wrote it (the engine's side: native/src/engine/drain-stamps.h). BPF only: included once, after
// gb1-maps.h.
#pragma once

// Whether user space wrote everything `cpu` passed up for group `slot` up to `stamp` (modulo 2^20).
static __always_inline bool drained(__u32 slot, __u32 cpu, __u32 stamp) {
  if (cpu >= GB_KP_DRAIN_CPUS || slot >= GB_KP_SEQ_SLOTS) return false;
  __u32 i = slot * GB_KP_DRAIN_CPUS + cpu;
  __u32 *d = bpf_map_lookup_elem(&gb_drained, &i);
  return d && ((*d - stamp) & GB_KP_STAMP_MASK) <= GB_KP_STAMP_MASK / 2;
}

// Stamps a datagram (a run of `segs`) passed up: this CPU's count for the group (gb1-kernel.h).
// *cpu = GB_KP_DRAIN_CPUS when it cannot be stamped (nothing to wait for then but the time).
static __always_inline void stamp_passed(struct __sk_buff *skb, __u32 slot, __u32 segs, __u32 *cpu, __u32 *stamp) {
  __u32 c = bpf_get_smp_processor_id();
  __u32 *passed = bpf_map_lookup_elem(&gb_passed, &slot);
  *cpu = GB_KP_DRAIN_CPUS;
  *stamp = 0;
  if (!passed || c >= GB_KP_DRAIN_CPUS) return;
  *stamp = (*passed + segs) & GB_KP_STAMP_MASK;
  *passed = *stamp;
  *cpu = c;
  skb->mark = GB_KP_STAMP_TAG | c << GB_KP_STAMP_CPU_SHIFT | *stamp;
}

// The mark now also waits for (cpu, stamp): a sender's datagrams usually stay on one CPU (RSS; on
// a veth, the sending thread's), but may move, so it keeps the newest stamp of each CPU it used.
static __always_inline void wait_for(struct gb_kp_slow *m, __u32 cpu, __u32 stamp) {
  int free = -1;
  for (int i = 0; i < GB_KP_SLOW_CPUS; i++) {
    if (m->cpu[i] == cpu && cpu < GB_KP_DRAIN_CPUS) {
      m->stamp[i] = stamp;
      return;
    }
    if (m->cpu[i] >= GB_KP_DRAIN_CPUS && free < 0) free = i;
  }
  if (cpu >= GB_KP_DRAIN_CPUS || free < 0) {
    m->timed = 1;
    return;
  }
  m->cpu[free & (GB_KP_SLOW_CPUS - 1)] = cpu;
  m->stamp[free & (GB_KP_SLOW_CPUS - 1)] = stamp;
}

// Passes a datagram (a run of `segs`) up to user space, stamped. `m`: the sender's mark, which now
// waits for this stamp too; none: the datagram is user space's own (a run, a frame too long to
// hash), and the sender's later datagrams follow it up until user space wrote it, for at most
// GB_KP_SLOW_MAX_NS from now: far beyond user space's worst delivery measured here (p99.9 ≈ 9 ms
// under load), so the bound only frees a sender whose datagram never reached the socket (a full
// buffer, a bad checksum) or that moved across more CPUs than a mark keeps; meanwhile its
// datagrams take the user tier, in order.
static __always_inline int pass_up(struct __sk_buff *skb, __u32 slot, __u64 sender, __u32 segs, __u64 now, struct gb_kp_slow *m) {
  __u32 cpu, stamp;
  stamp_passed(skb, slot, segs, &cpu, &stamp);
  if (m) {  // following: the bound stays
    wait_for(m, cpu, stamp);
    return TC_ACT_OK;
  }
  struct gb_kp_sender_key key = {.sender = sender, .group = slot};
  m = bpf_map_lookup_elem(&gb_slow, &key);
  if (m && now < m->until_ns) {  // still waiting for earlier stamps: this one too, for longer
    wait_for(m, cpu, stamp);
    m->until_ns = now + GB_KP_SLOW_MAX_NS;
    return TC_ACT_OK;
  }
  struct gb_kp_slow fresh = {.until_ns = now + GB_KP_SLOW_MAX_NS};
  for (int i = 0; i < GB_KP_SLOW_CPUS; i++) fresh.cpu[i] = GB_KP_DRAIN_CPUS;
  wait_for(&fresh, cpu, stamp);
  bpf_map_update_elem(&gb_slow, &key, &fresh, BPF_ANY);
  return TC_ACT_OK;
}

// The sender's mark while something it passed up is not written yet (and the bound not reached):
// its datagram then follows up, or it would overtake them.
static __always_inline struct gb_kp_slow *behind_pass_up(__u32 slot, __u64 sender, __u64 now) {
  struct gb_kp_sender_key key = {.sender = sender, .group = slot};
  struct gb_kp_slow *m = bpf_map_lookup_elem(&gb_slow, &key);
  if (!m) return 0;
  bool waiting = m->timed && now < m->until_ns;
  if (now < m->until_ns && !waiting) {
    for (int i = 0; i < GB_KP_SLOW_CPUS; i++) {
      if (m->cpu[i] >= GB_KP_DRAIN_CPUS) continue;
      if (drained(slot, m->cpu[i], m->stamp[i])) m->cpu[i] = GB_KP_DRAIN_CPUS;
      else waiting = true;
    }
  }
  if (!waiting) bpf_map_delete_elem(&gb_slow, &key);
  return waiting ? m : 0;
}

// The kernel tier of the GB1 data path: two tc (clsact, direct-action) programs that run the
// user-space engine's rules (native/src/engine/engine-decide.cc, frame-filter.cc,
// sender-table.cc, gb1.h; specified by bridge/daemon/forwarding-spec.ts) in softirq, so a frame
// crosses the bridge without waking a thread.
//   to_wan   goose0 egress: frame filter → path-MTU guard → group map → GB1 → IPv4/UDP → uplink(s)
//   from_wan uplink ingress: GB1 checks → inner filter, receive guards, loop guard → sender table
//            (own, duplicate window, gaps, late, stale) → copy discard → decapsulate → goose0
// Whatever the kernel tier does not handle (R-GOOSE, gateway mode, heartbeats, VLAN tags held out
// of band, GRO runs, IP options or fragments, carried frames beyond GB_KP_MAX_FRAME) goes
// on unchanged (TC_ACT_OK) to the user-space engine, which then decides and counts it: every
// frame is decided and counted by exactly one tier. A sender's datagrams behind one passed up
// follow it up until user space wrote it (pass_up), so none overtakes another of its sender.
// Drops and counts use the engine's slots (counter-ids.h, generated from engine-tables.h).
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "gb1-kernel.h"
#include "counter-ids.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

#define READ_ONCE(x) (*(volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#define FORWARD (-1)
#define PASS (-2)  // to user space, nothing counted here

#define ETH_HLEN 14
#define OUTER_HLEN (ETH_HLEN + 20 + 8)          // Ethernet, IPv4 without options, UDP
#define GB1_HLEN 16
#define ENCAP_HLEN (OUTER_HLEN + GB1_HLEN)       // in front of the carried frame
#define MIN_INNER_FRAME (14 + 8)
// bpf_skb_adjust_room keeps at least an IPv4 header's worth behind the MAC header when shrinking:
// shorter carried frames are moved to the front by copy instead.
#define MIN_DECAP_FRAME (ETH_HLEN + 20)
#define ETH_MIN_FRAME 60

#include "gb1-maps.h"
#include "gb1-order.h"

struct frame_hdr {
  __u16 appid;
  __u16 ethertype;
  bool tagged;
  bool has_appid;
};

static __always_inline __u16 be16(const __u8 *p) { return (__u16)(p[0] << 8 | p[1]); }
static __always_inline __u32 be32(const __u8 *p) {
  return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static __always_inline __u64 now_ns(void) {
  __u32 zero = 0;
  __u64 *t = bpf_map_lookup_elem(&gb_clock, &zero);
  return t && *t ? *t : bpf_ktime_get_ns();
}

static long spin_until(__u32 i, void *until) { return bpf_ktime_get_ns() >= *(__u64 *)until; }

// The gate-calibration knob (calibration.h's Frame): a known extra cost per frame, off when zero.
static __always_inline void calibrate(const struct gb_kp_config *c) {
  if (!c->spin_ns && !c->stall_period_ns) return;
  const __u64 start = bpf_ktime_get_ns();
  __u64 until = start + c->spin_ns;
  __u32 zero = 0;
  __u64 *next = bpf_map_lookup_elem(&gb_calibration, &zero);
  if (c->stall_period_ns && next && start >= *next) {
    until += c->stall_ns;
    *next = start + c->stall_period_ns;
  }
  bpf_loop(1 << 23, spin_until, &until, 0);
}

static __always_inline void count(struct counter_block *k, __u32 slot, __u64 n) {
  if (slot < GB_ALL_SLOTS) k->slot[slot] += n;
}

// This CPU's row of an APPID, made on its first frame; null when gb_appids is full (pass up).
static __always_inline struct app_row *app_row(__u16 appid) {
  __u32 key = appid;
  struct app_row *r = bpf_map_lookup_elem(&gb_appids, &key);
  if (r) return r;
  struct app_row zero = {};
  bpf_map_update_elem(&gb_appids, &key, &zero, BPF_NOEXIST);  // EEXIST: another CPU made it
  return bpf_map_lookup_elem(&gb_appids, &key);
}

static __always_inline void count_app(struct app_row *r, __u32 slot, __u64 n) {
  if (r && slot < GB_APPID_COUNTER_COUNT) r->slot[slot] += n;
}

static __always_inline bool allowed(__u16 appid) {
  __u32 zero = 0;
  struct gb_kp_allow *a = bpf_map_lookup_elem(&gb_allow, &zero);
  if (!a) return false;
  return (a->bits[(appid >> 6) & 1023] >> (appid & 63)) & 1;
}

// frame-filter.cc's CheckFrame on the first 26 bytes `h` (zero beyond `len`). `allow_list`: the
// L2 side's APPID allow-list applies (not to carried frames).
static __always_inline int check_frame(const struct gb_kp_config *c, bool allow_list, const __u8 *h, __u32 len,
                                       struct frame_hdr *fh) {
  fh->tagged = false;
  fh->has_appid = false;
  if (len < 14) return GB_kRunt;
  __u16 type = be16(h + 12);
  __u32 after = 14;
  if (type == 0x8100) {
    if (len < 18) return GB_kRunt;
    type = be16(h + 16);
    fh->tagged = true;
    after = 18;
    if (type == 0x8100 || type == 0x88a8) return GB_kVlanStacked;
  } else if (type == 0x88a8) {
    return GB_kVlanStacked;
  }
  fh->ethertype = type;
  __u16 lo = 0, hi = 0x3fff;
  if (type == 0x88b8) {
  } else if (type == 0x88ba) {
    if (!(c->flags & GB_KP_ENABLE_SV)) return GB_kSvDisabled;
    lo = 0x4000, hi = 0x7fff;
  } else if (type == 0x88b9) {
    if (!(c->flags & GB_KP_ENABLE_GSE)) return GB_kGseDisabled;
  } else if (type == 0x0806) {
    return GB_kArp;
  } else if (type == 0x0800) {
    return GB_kIpv4;
  } else if (type == 0x86dd) {
    return GB_kIpv6;
  } else if (type == 0x88cc) {
    return GB_kLldp;
  } else {
    return GB_kOtherEthertype;
  }
  __u32 present = len - after;
  if (present < 8) return GB_kRunt;
  __u16 appid = fh->tagged ? be16(h + 18) : be16(h + 14);
  __u16 length = fh->tagged ? be16(h + 20) : be16(h + 16);
  fh->appid = appid;
  fh->has_appid = true;
  if (length < 8 || length > present) return GB_kLengthField;
  if (length < present && len > ETH_MIN_FRAME + (fh->tagged ? 4 : 0)) return GB_kTrailingBytes;
  if ((c->flags & GB_KP_CHECK_APPID_RANGE) && (appid < lo || appid > hi)) return GB_kAppidRange;
  if (allow_list && (c->flags & GB_KP_ALLOW_LIST) && !allowed(appid)) return GB_kAppidNotAllowed;
  return FORWARD;
}

static __always_inline __u64 mac48(const __u8 *p) {
  return (__u64)p[0] << 40 | (__u64)p[1] << 32 | (__u64)p[2] << 24 | (__u64)p[3] << 16 | (__u64)p[4] << 8 | p[5];
}

// recent-frames.h's FrameFingerprint, one 8-byte word (little-endian, as the engine's memcpy
// reads it) at a time, then the last 0..7 bytes zero-padded.
static __always_inline __u64 fp_word(__u64 h, __u64 x) {
  h = (h ^ x) * 0xff51afd7ed558ccdULL;
  return h ^ (h >> 32);
}

static __always_inline __u64 fp_final(__u64 h, __u64 tail) {
  h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 29;
  return h | 1;
}

// FrameFingerprint over the `n` bytes at `off` (linear data, n ≤ GB_KP_MAX_FRAME). Returns 0
// when the bytes are not reachable (the caller passes the packet up). A global function: the
// verifier walks its loop once, not once per caller and path into it.
__noinline __u64 gb_fingerprint(struct __sk_buff *skb, __u32 off, __u32 n) {
  if (!skb) return 0;
  if (n > GB_KP_MAX_FRAME || off >= 128) return 0;
  void *end = (void *)(long)skb->data_end;
  __u64 o = off;
  asm volatile("%[o] &= 127" : [o] "+r"(o));  // a bound the verifier sees on the register itself
  void *data = (void *)(long)skb->data + o;
  __u64 h = 0x9e3779b97f4a7c15ULL ^ n;
  __u32 i = 0;
  for (int w = 0; w < GB_KP_MAX_FRAME / 8; w++) {
    if (i + 8 > n) break;
    __u8 *p = data + i;
    if ((void *)(p + 8) > end) return 0;
    h = fp_word(h, *(__u64 *)p);
    i += 8;
  }
  __u64 tail = 0;
  __u32 rest = n - i;
  if (rest > 0 && rest < 8 && bpf_skb_load_bytes(skb, off + i, &tail, rest)) return 0;
  return fp_final(h, tail);
}

// What to_wan needs of the whole frame (`n` bytes at offset 0, linear data), in one pass over
// it: the fingerprint (0: the bytes are not reachable) and, in *sum, the one's-complement sum
// (RFC 1071) of its 16-bit words in memory order read little-endian — byte-swapped, the
// big-endian sum (the sum does not depend on the byte order), for the UDP checksum. The sum is
// of the same words the fingerprint reads: a 64-bit word adds its two 32-bit halves, and the
// zero-padded tail is an odd length's zero pad. A global function, verified once.
__noinline __u64 gb_frame_scan(struct __sk_buff *skb, __u32 n, __u32 *sum) {
  if (!skb || !sum || n > GB_KP_MAX_FRAME) return 0;
  void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
  __u64 h = 0x9e3779b97f4a7c15ULL ^ n, s = 0;
  __u32 i = 0;
  for (int w = 0; w < GB_KP_MAX_FRAME / 8; w++) {
    if (i + 8 > n) break;
    __u8 *p = data + i;
    if ((void *)(p + 8) > end) return 0;
    __u64 x = *(__u64 *)p;
    h = fp_word(h, x);
    s += (x & 0xffffffff) + (x >> 32);
    i += 8;
  }
  __u64 tail = 0;
  __u32 rest = n - i;
  if (rest > 0 && rest < 8 && bpf_skb_load_bytes(skb, i, &tail, rest)) return 0;
  s += (tail & 0xffffffff) + (tail >> 32);
  s = (s & 0xffffffff) + (s >> 32);
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  s = (s & 0xffff) + (s >> 16);
  *sum = (__u32)s;
  return fp_final(h, tail);
}

static __always_inline struct gb_kp_recent *recent_slot(__u64 fp) {
  __u32 i = fp & (GB_KP_RECENT - 1);
  return bpf_map_lookup_elem(&gb_recent_read, &i);
}

// The loop guard: frame `fp` was sent to the WAN at `now`.
static __always_inline void loop_remember(__u64 fp, __u64 now) {
  struct gb_kp_recent *r = recent_slot(fp);
  if (!r) return;
  // Time first: a reader on another CPU that sees the new fingerprint sees its time (x86 keeps
  // store order; elsewhere a race only misjudges a frame that collided in this very slot).
  WRITE_ONCE(r->at_ns, now);
  WRITE_ONCE(r->fp, fp);
}

// Whether frame `fp` was sent to the WAN within the loop window before `now`.
static __always_inline bool loop_seen(__u64 fp, __u64 now) {
  struct gb_kp_recent *r = recent_slot(fp);
  return r && READ_ONCE(r->fp) == fp && now - READ_ONCE(r->at_ns) <= GB_KP_LOOP_WINDOW_NS;
}

// Big-endian 16-bit words of `n` (even) bytes, added to `sum`.
static __always_inline __u32 add_be16(__u32 sum, const __u8 *p, int n) {
  for (int i = 0; i < n; i += 2) sum += (__u32)p[i] << 8 | p[i + 1];
  return sum;
}

static __always_inline __u16 fold(__u32 sum) {
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return (__u16)sum;
}

static __always_inline __u16 ipv4_checksum(const __u8 *ip) { return (__u16)~fold(add_be16(0, ip, 20)); }

static __always_inline struct gb_kp_config *config(void) {
  __u32 zero = 0;
  __u32 *active = bpf_map_lookup_elem(&gb_active, &zero);
  if (!active) return 0;
  __u32 slot = *active & 1;
  struct gb_kp_config *c = bpf_map_lookup_elem(&gb_config, &slot);
  return c && c->generation ? c : 0;
}

static __always_inline struct counter_block *counters(void) {
  __u32 zero = 0;
  return bpf_map_lookup_elem(&gb_counters, &zero);
}

// engine-decide.cc's DecideToWan without gateway mode and R-GOOSE (passed up); *group on FORWARD.
static __always_inline int decide_to_wan(struct __sk_buff *skb, const struct gb_kp_config *c, struct frame_hdr *fh,
                                         __u32 *group) {
  __u8 h[26] = {};
  __u32 len = skb->len;
  if (len < 14) return PASS;  // a TAP never gives the stack less than an Ethernet header
  if (bpf_skb_load_bytes(skb, 0, h, len < sizeof h ? len : sizeof h)) return PASS;
  int v = check_frame(c, true, h, len, fh);
  if (v != FORWARD) return v;
  if (len > c->max_frame) return GB_kOversize;
  __u32 gi = 0;
  __u64 mac = mac48(h);
  for (int i = 0; i < GB_KP_MAX_RULES; i++) {
    if (i >= c->rule_count) break;
    const struct gb_kp_rule *r = &c->rules[i];
    __u64 x = r->mac ? mac : fh->appid;
    if (x >= r->lo && x <= r->hi) {
      gi = r->group;
      break;
    }
  }
  if (gi >= c->group_count || gi >= GB_KP_MAX_GROUPS) return GB_kWanUnavailable;
  *group = gi;
  return FORWARD;
}

// Outer Ethernet, IPv4, UDP and GB1 in front of a frame of `len` bytes, from uplink `u`;
// `frame_sum`: the frame's big-endian one's-complement sum, for the UDP checksum.
static __always_inline void build_headers(__u8 *o, const struct gb_kp_config *c, const struct gb_kp_uplink *u, __u32 group_be,
                                          __u32 seq, __u32 len, __u32 frame_sum) {
  const __u8 *g = (const __u8 *)&group_be;
  // 01-00-5E + the group's low 23 bits.
  o[0] = 0x01, o[1] = 0x00, o[2] = 0x5e, o[3] = g[1] & 0x7f, o[4] = g[2], o[5] = g[3];
  __builtin_memcpy(o + 6, u->mac, 6);
  o[12] = 0x08, o[13] = 0x00;
  __u8 *ip = o + 14;
  __u16 total = 20 + 8 + GB1_HLEN + len;
  ip[0] = 0x45, ip[1] = c->tos, ip[2] = total >> 8, ip[3] = total & 0xff;
  ip[4] = 0, ip[5] = 0, ip[6] = 0x40, ip[7] = 0;  // DF: the engine's sockets never fragment either
  ip[8] = c->ttl, ip[9] = 17, ip[10] = 0, ip[11] = 0;
  __builtin_memcpy(ip + 12, &u->addr, 4);
  __builtin_memcpy(ip + 16, &group_be, 4);
  __u16 ipsum = ipv4_checksum(ip);
  ip[10] = ipsum >> 8, ip[11] = ipsum & 0xff;
  __u8 *udp = ip + 20;
  __u16 ulen = 8 + GB1_HLEN + len;
  __builtin_memcpy(udp, &c->src_port, 2);
  __builtin_memcpy(udp + 2, &c->port, 2);
  udp[4] = ulen >> 8, udp[5] = ulen & 0xff, udp[6] = 0, udp[7] = 0;
  __u8 *gb = udp + 8;
  __u64 s = c->own_sender;
  gb[0] = 'G', gb[1] = 'B', gb[2] = 1, gb[3] = 0;
  for (int i = 0; i < 8; i++) gb[4 + i] = s >> (56 - 8 * i);
  gb[12] = seq >> 24, gb[13] = seq >> 16, gb[14] = seq >> 8, gb[15] = seq;
  // Pseudo-header (addresses, protocol, UDP length), UDP and GB1 headers, then the frame.
  __u32 sum = add_be16(frame_sum, ip + 12, 8) + 17 + ulen;
  __u16 csum = ~fold(add_be16(sum, udp, 8 + GB1_HLEN));
  if (csum == 0) csum = 0xffff;
  udp[6] = csum >> 8, udp[7] = csum & 0xff;
}

// The headers written straight into the packet's first ENCAP_HLEN bytes (its head after
// bpf_skb_change_head: writable, linear); -1 when they are not there.
static __always_inline int put_headers(struct __sk_buff *skb, const struct gb_kp_config *c, const struct gb_kp_uplink *u,
                                       __u32 group_be, __u32 seq, __u32 len, __u32 frame_sum) {
  __u8 *o = (void *)(long)skb->data;
  if ((void *)(o + ENCAP_HLEN) > (void *)(long)skb->data_end) return -1;
  build_headers(o, c, u, group_be, seq, len, frame_sum);
  return 0;
}

SEC("tc")
int to_wan(struct __sk_buff *skb) {
  struct gb_kp_config *c = config();
  if (!c || !(c->flags & GB_KP_TO_WAN) || (c->flags & GB_KP_GATEWAY) || skb->vlan_present) return TC_ACT_OK;
  if (c->uplink_count == 0 || c->uplink_count > GB_KP_MAX_UPLINKS) return TC_ACT_OK;
  struct counter_block *k = counters();
  if (!k) return TC_ACT_OK;
  struct frame_hdr fh = {};
  __u32 gi = 0;
  __u32 len = skb->len;
  int v = decide_to_wan(skb, c, &fh, &gi);
  if (v == PASS) return TC_ACT_OK;
  if (v == FORWARD && len > GB_KP_MAX_FRAME) return TC_ACT_OK;
  struct app_row *app = 0;
  if (fh.has_appid && !(app = app_row(fh.appid))) return TC_ACT_OK;
  calibrate(c);
  count(k, GB_kL2FramesRead, 1);
  count(k, GB_kL2BytesRead, len);
  if (v != FORWARD) {
    count(k, GB_TO_WAN_BASE + v, 1);
    count_app(app, GB_kAppToWanDropped, 1);
    return TC_ACT_SHOT;
  }
  // A frame from a packet socket or the stack is linear already: pulled only when it is not.
  if ((long)skb->data_end - (long)skb->data < len && bpf_skb_pull_data(skb, len)) return TC_ACT_SHOT;
  __u32 le_sum = 0;
  const __u64 fp = gb_frame_scan(skb, len, &le_sum);
  if (!fp) return TC_ACT_SHOT;
  // Remembered, so a copy coming back from the WAN is recognised (the loop guard).
  loop_remember(fp, now_ns());
  const __u32 frame_sum = (le_sum >> 8 | le_sum << 8) & 0xffff;
  if (gi >= GB_KP_MAX_GROUPS) return TC_ACT_SHOT;
  __u32 slot = c->groups[gi].seq_slot;
  __u32 *seqp = bpf_map_lookup_elem(&gb_seq, &slot);
  if (!seqp) return TC_ACT_SHOT;
  __u32 seq = __sync_fetch_and_add(seqp, 1);
  // Counted once encapsulated, as the engine counts it (whatever becomes of the sends).
  count_app(app, GB_kAppToWanFrames, 1);
  count_app(app, GB_kAppToWanBytes, len);
  if (bpf_skb_change_head(skb, ENCAP_HLEN, 0)) {
    count(k, GB_TO_WAN_BASE + GB_kSendError, 1);
    return TC_ACT_SHOT;
  }
  const __u32 group_be = c->groups[gi].addr;
  const __u32 n = c->uplink_count;
  // Every path but the first gets a clone; the first takes the packet itself.
  for (__u32 p = GB_KP_MAX_UPLINKS - 1; p > 0; p--) {
    if (p >= n) continue;
    if (put_headers(skb, c, &c->uplinks[p], group_be, seq, len, frame_sum) || bpf_clone_redirect(skb, c->uplinks[p].ifindex, 0)) {
      count(k, GB_TO_WAN_BASE + GB_kSendError, 1);
      count(k, GB_PATH_BASE + p * GB_PATH_COUNTER_COUNT + GB_kPathSendErrors, 1);
      continue;
    }
    count(k, GB_kWanDatagramsSent, 1);
    count(k, GB_kWanBytesSent, GB1_HLEN + len);
    count(k, GB_PATH_BASE + p * GB_PATH_COUNTER_COUNT + GB_kPathDatagramsSent, 1);
  }
  if (put_headers(skb, c, &c->uplinks[0], group_be, seq, len, frame_sum)) {
    count(k, GB_TO_WAN_BASE + GB_kSendError, 1);
    return TC_ACT_SHOT;
  }
  count(k, GB_kWanDatagramsSent, 1);
  count(k, GB_kWanBytesSent, GB1_HLEN + len);
  count(k, GB_PATH_BASE + GB_kPathDatagramsSent, 1);
  return bpf_redirect(c->uplinks[0].ifindex, 0);
}


// sender-table.cc's Accept after the own-sender check: the duplicate window, gaps, late, stale.
// One sender's datagrams share a 5-tuple, so RSS keeps them on one CPU: the entry has one writer.
static __always_inline int track(struct counter_block *k, __u32 slot, __u64 sender, __u32 seq, bool *duplicate) {
  struct gb_kp_sender_key key = {.sender = sender, .group = slot};
  struct gb_kp_sender *e = bpf_map_lookup_elem(&gb_senders, &key);
  *duplicate = false;
  if (!e) {
    struct gb_kp_sender fresh = {.window = 1, .highest = seq};
    bpf_map_update_elem(&gb_senders, &key, &fresh, BPF_ANY);
    count(k, GB_kSendersSeen, 1);
    return FORWARD;
  }
  __s32 d = (__s32)(seq - e->highest);
  if (d > 0) {
    if (d > 1) {
      count(k, GB_kGapFrames, d - 1);
      count(k, GB_kGapEvents, 1);
    }
    e->window = d >= 64 ? 1 : (e->window << d) | 1;
    e->highest = seq;
    return FORWARD;
  }
  __u32 back = (__u32)(-(__s64)d);
  if (back >= GB_KP_SEQ_WINDOW) return GB_kStale;
  __u64 bit = 1ULL << (back & 63);
  if (e->window & bit) {
    *duplicate = true;
    return FORWARD;
  }
  e->window |= bit;
  count(k, GB_kLateFrames, 1);
  return FORWARD;
}

static __always_inline bool iec_multicast(__u64 mac) {
  __u64 prefix = mac >> 16;
  return prefix == 0x010CCD01 || prefix == 0x010CCD02 || prefix == 0x010CCD04;
}

static __always_inline bool destination_allowed(const struct gb_kp_config *c, const __u8 *frame) {
  __u64 mac = mac48(frame);
  if (iec_multicast(mac)) return true;
  if (!(frame[0] & 1)) return false;
  for (int i = 0; i < GB_KP_MAX_DESTINATIONS; i++) {
    if (i >= c->destination_count) break;
    if (mac >= c->destinations[i].lo && mac <= c->destinations[i].hi) return true;
  }
  return false;
}

// The WAN path a datagram came by: the uplink it arrived on (path 0 when none matches).
static __always_inline __u32 path_of(const struct gb_kp_config *c, __u32 ifindex) {
  for (int p = 0; p < GB_KP_MAX_UPLINKS; p++)
    if (p < c->uplink_count && c->uplinks[p].ifindex == ifindex) return p;
  return 0;
}

static __always_inline bool is_gb1(const __u8 *g) { return g[0] == 'G' && g[1] == 'B' && g[2] == 1; }

static __always_inline __u64 sender_of(const __u8 *g) { return (__u64)be32(g + 4) << 32 | be32(g + 8); }

// gb1.h's Gb1Decapsulate and engine-decide.cc's CheckCarried and DecideFromWan for the UDP
// payload of `n` bytes at OUTER_HLEN; the sender table and the copy discard are touched only
// once every check passed. PASS: before anything was counted or remembered.
// `g`: the datagram's first GB1_HLEN bytes (zero beyond n), already known to be GB1 and no heartbeat.
static __always_inline int decide_from_wan(struct __sk_buff *skb, const struct gb_kp_config *c, struct counter_block *k,
                                           __u32 slot, __u32 path, __u32 n, const __u8 *g, __u64 now, struct app_row **app) {
  if (n < GB1_HLEN + MIN_INNER_FRAME || n > c->max_datagram) return GB_kBadLength;
  const __u32 off = OUTER_HLEN + GB1_HLEN;
  const __u32 len = n - GB1_HLEN;
  __u8 h[26] = {};
  __u32 head = len < sizeof h ? len : sizeof h;
  // len ≥ MIN_INNER_FRAME above; said again behind a barrier, so the verifier keeps the lower bound.
  asm volatile("" : "+r"(head));
  if (head < MIN_INNER_FRAME || bpf_skb_load_bytes(skb, off, h, head)) return PASS;
  struct frame_hdr fh = {};
  int inner = check_frame(c, false, h, len, &fh);
  // The carried frame's APPID row (the engine counts a drop from here on under the APPID); a PASS
  // further down leaves it at zero, and readers skip zero rows.
  if (fh.has_appid && !(*app = app_row(fh.appid))) return PASS;
  if (inner != FORWARD) return GB_kInnerNotAllowed;
  if (len > c->l2_mtu + 14 + (fh.tagged ? 4 : 0)) return GB_kOversizeFrame;
  if (!destination_allowed(c, h)) return GB_kBadDestination;
  if (len > GB_KP_MAX_FRAME) return PASS;
  if (bpf_skb_pull_data(skb, off + len)) return PASS;
  __u64 fp = gb_fingerprint(skb, off, len);
  if (!fp) return PASS;
  if (loop_seen(fp, now)) return GB_kLoop;
  const __u64 sender = sender_of(g);
  if (sender == c->own_sender) return GB_kOwnSender;
  bool duplicate;
  int t = track(k, slot, sender, be32(g + 12), &duplicate);
  if (t != FORWARD) return t;
  // The copy discard (delivered-frames.h): the other path's copy (same sender and number), or
  // another sender's copy of a frame delivered within the window. The user-space engine claims in
  // this map too, for what it delivers behind this program (shared-delivered.h); the age is signed,
  // as an entry can be a little younger than `now` (another CPU, or the engine's clock read later).
  struct gb_kp_delivered *s = bpf_map_lookup_elem(&gb_delivered, &fp);
  bool is_copy = s && (__s64)(now - s->first_ns) <= (__s64)GB_KP_COPY_WINDOW_NS && (s->origin != sender || duplicate);
  bool path_new = false;
  if (is_copy) {
    __u32 bit = 1u << path;
    path_new = !(s->paths & bit);
    s->paths |= bit;
  }
  if (duplicate && !(is_copy && path_new)) return GB_kDuplicate;
  __u32 pbase = GB_PATH_BASE + path * GB_PATH_COUNTER_COUNT;
  if (is_copy) {
    count(k, pbase + GB_kPathRedundantCopies, 1);
    if (path_new) count(k, pbase + GB_kPathFramesSeen, 1);
    return GB_kRedundantCopy;
  }
  struct gb_kp_delivered first = {.origin = sender, .first_ns = now, .paths = 1u << path, .first_path = path};
  // Claimed atomically: two copies (two gateways, two paths) on two CPUs at once both miss the
  // lookup above, and only the one whose insert wins is delivered.
  if (bpf_map_update_elem(&gb_delivered, &fp, &first, s ? BPF_ANY : BPF_NOEXIST)) {
    count(k, pbase + GB_kPathRedundantCopies, 1);
    return GB_kRedundantCopy;
  }
  count(k, pbase + GB_kPathFramesFirst, 1);
  count(k, pbase + GB_kPathFramesSeen, 1);
  return FORWARD;
}

// Leaves exactly the carried frame of `len` bytes (at ENCAP_HLEN) in the packet, in place.
static __always_inline int decapsulate(struct __sk_buff *skb, __u32 len) {
  if (len < MIN_DECAP_FRAME) {
    // Too short for bpf_skb_adjust_room to keep an IPv4 header's worth: moved to the front whole.
    __u8 f[MIN_DECAP_FRAME];
    _Static_assert(MIN_DECAP_FRAME <= 64, "the mask below bounds the copy for the verifier");
    __u32 m = len & 63;
    if (m < MIN_INNER_FRAME || m >= MIN_DECAP_FRAME) return -1;
    return bpf_skb_load_bytes(skb, ENCAP_HLEN, f, m) || bpf_skb_store_bytes(skb, 0, f, m, 0) || bpf_skb_change_tail(skb, m, 0);
  }
  // The carried Ethernet header over the outer one, then out with everything between.
  __u8 eth[ETH_HLEN];
  return bpf_skb_load_bytes(skb, ENCAP_HLEN, eth, sizeof eth) || bpf_skb_store_bytes(skb, 0, eth, sizeof eth, 0) ||
         bpf_skb_adjust_room(skb, -(__s32)(ENCAP_HLEN), BPF_ADJ_ROOM_MAC, 0) ||
         (skb->len > len && bpf_skb_change_tail(skb, len, 0));
}

SEC("tc")
int from_wan(struct __sk_buff *skb) {
  struct gb_kp_config *c = config();
  if (!c || !(c->flags & GB_KP_FROM_WAN) || (c->flags & GB_KP_GATEWAY)) return TC_ACT_OK;
  __u8 o[OUTER_HLEN];
  if (bpf_skb_load_bytes(skb, 0, o, sizeof o)) return TC_ACT_OK;
  const __u8 *ip = o + ETH_HLEN, *udp = ip + 20;
  // IPv4 without options, not a fragment, UDP to the port and a group this bridge receives.
  if (o[12] != 0x08 || o[13] != 0x00 || ip[0] != 0x45 || ip[9] != 17 || (be16(ip + 6) & 0x3fff)) return TC_ACT_OK;
  if (be16(udp + 2) != bpf_ntohs(c->port)) return TC_ACT_OK;
  __u32 daddr;
  __builtin_memcpy(&daddr, ip + 16, 4);
  __u32 gi = GB_KP_MAX_GROUPS;
  for (int i = 0; i < GB_KP_MAX_GROUPS; i++) {
    if (i >= c->group_count) break;
    if (c->groups[i].addr == daddr && c->groups[i].receive) {
      gi = i;
      break;
    }
  }
  if (gi >= GB_KP_MAX_GROUPS) return TC_ACT_OK;
  const __u32 slot = c->groups[gi].seq_slot & (GB_KP_SEQ_SLOTS - 1);
  const __u64 now = now_ns();
  __u8 g[GB1_HLEN] = {};
  // A run (UDP GSO carried whole, or merged by GRO): user space cuts it. Its datagrams share the
  // first one's sender, whose later datagrams follow them up.
  if (skb->gso_segs > 1) {
    if (bpf_skb_load_bytes(skb, OUTER_HLEN, g, GB1_HLEN) || !is_gb1(g)) return TC_ACT_OK;
    return pass_up(skb, slot, sender_of(g), skb->gso_segs, now, 0);
  }
  __u16 ulen = be16(udp + 4), total = be16(ip + 2);
  if (ulen < 8 || total != 20 + ulen || ETH_HLEN + total > skb->len) return TC_ACT_OK;
  struct counter_block *k = counters();
  if (!k) return TC_ACT_OK;
  const __u32 n = ulen - 8;
  if (bpf_skb_load_bytes(skb, OUTER_HLEN, g, n < GB1_HLEN ? (n ? n : 1) : GB1_HLEN)) return TC_ACT_OK;
  // Not GB1 (too short for its magic, another magic or version): passed up unchanged, so the host's
  // other sockets on this group and port still get it and user space judges and counts it as ever.
  // A heartbeat is user space's too (it carries no frame, so no order to keep).
  if (n < 4 || !is_gb1(g) || (g[3] & 0x01)) return TC_ACT_OK;
  if (n >= GB1_HLEN) {
    struct gb_kp_slow *m = behind_pass_up(slot, sender_of(g), now);
    if (m) return pass_up(skb, slot, 0, 1, now, m);
  }
  const __u32 path = path_of(c, skb->ifindex);
  struct app_row *app = 0;
  int v = decide_from_wan(skb, c, k, slot, path, n, g, now, &app);
  if (v == PASS) return pass_up(skb, slot, sender_of(g), 1, now, 0);
  count(k, GB_kWanDatagramsReceived, 1);
  count(k, GB_kWanBytesReceived, n);
  count(k, GB_PATH_BASE + path * GB_PATH_COUNTER_COUNT + GB_kPathDatagramsReceived, 1);
  k->group_datagrams[slot] += 1;
  if (v != FORWARD) {
    count(k, GB_FROM_WAN_BASE + v, 1);
    count_app(app, GB_kAppFromWanDropped, 1);
    return TC_ACT_SHOT;
  }
  const __u32 len = n - GB1_HLEN;
  if (decapsulate(skb, len)) {
    count(k, GB_FROM_WAN_BASE + GB_kL2WriteFailed, 1);
    count_app(app, GB_kAppFromWanDropped, 1);
    return TC_ACT_SHOT;
  }
  count(k, GB_kL2FramesWritten, 1);
  count(k, GB_kL2BytesWritten, len);
  count_app(app, GB_kAppFromWanFrames, 1);
  count_app(app, GB_kAppFromWanBytes, len);
  return bpf_redirect(c->l2_ifindex, (c->flags & GB_KP_L2_INGRESS) ? BPF_F_INGRESS : 0);
}

// The kernel tier's copy discard (its gb_delivered map, gb1-kernel.h), consulted and claimed by
// the engine while the kernel tier's from_wan delivers: one table then decides the first delivery
// of a frame whichever tier each copy reached (a gateway pair's two copies of one frame, one
// decided in the kernel and its twin passed up). The rules are DeliveredFrames'; an entry's time
// is the kernel's (bpf_ktime_get_ns: CLOCK_MONOTONIC in ns, the clock NowUs() reads in µs). A frame
// the engine delivers costs one bpf() call (the claim), the twin of one the kernel tier delivered
// two (the failed claim, the look-up); nothing is allocated. Receive thread (and testFromWan).
#pragma once

#include <atomic>
#include <cstdint>

#include "../../bpf/gb1-kernel.h"
#include "delivered-frames.h"

namespace gb {

static_assert(sizeof(gb_kp_delivered) == 24, "gb_delivered's value: the layout the BPF programs use");

class SharedDelivered {
 public:
  SharedDelivered() = default;
  SharedDelivered(const SharedDelivered&) = delete;
  SharedDelivered& operator=(const SharedDelivered&) = delete;
  ~SharedDelivered();

  // From now on the map `fd` decides (its descriptor is duplicated once and kept for the engine's
  // life: one kernel-tier object per engine); -1: the engine's own table again. errno on failure.
  bool Use(int fd);
  bool on() const { return on_.load(std::memory_order_acquire); }

  // DeliveredFrames::IsCopy, and else Record, on the map: claimed first (BPF_NOEXIST), looked up
  // only when the claim fails, as the look-up would find nothing for most frames. A copy: true,
  // its path marked. Not a copy: false, claimed, unless `sameMessage` (a duplicate is dropped,
  // never recorded). A stale entry, or an earlier message of the same origin, is replaced.
  bool IsCopyElseClaim(uint64_t fp, uint64_t origin, bool sameMessage, unsigned path, int64_t nowUs, int64_t windowUs,
                       DeliveredFrames::Copy* c) const;

 private:
  int fd_ = -1;
  std::atomic<bool> on_{false};
};

}  // namespace gb

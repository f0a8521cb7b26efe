// The kernel tier's copy discard (its gb_delivered map, gb1-kernel.h), consulted and claimed by
// the engine while the kernel tier's from_wan delivers: one table then decides the first delivery
// of a frame whichever tier each copy reached (a gateway pair's two copies of one frame, one
// decided in the kernel and its twin passed up). The rules are DeliveredFrames'; an entry's time
// is the kernel's (bpf_ktime_get_ns: CLOCK_MONOTONIC in ns, the clock NowUs() reads in µs). A
// delivered frame costs two bpf() calls (look up, claim), a copy one or two (look up, mark its
// path); nothing is allocated. Used by the receive thread (and testFromWan before start).
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

  // DeliveredFrames::IsCopy on the map. *taken: an entry that is no copy's (stale, or an earlier
  // message of the same origin) holds the key, so Claim replaces it.
  bool IsCopy(uint64_t fp, uint64_t origin, bool sameMessage, unsigned path, int64_t nowUs, int64_t windowUs, DeliveredFrames::Copy* c,
              bool* taken) const;
  // Claims the first delivery (DeliveredFrames::Record). false: the kernel tier (or another
  // thread) claimed it between the look-up and here: this one is a copy.
  bool Claim(uint64_t fp, uint64_t origin, unsigned path, int64_t nowUs, bool taken) const;

 private:
  int fd_ = -1;
  std::atomic<bool> on_{false};
};

}  // namespace gb

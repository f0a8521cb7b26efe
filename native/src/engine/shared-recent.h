// The kernel tier's loop guard (its gb_recent_read array, mmapped), kept and checked by the engine
// next to its own (RecentFrames) while the kernel tier forwards: a frame the kernel tier sent to
// the WAN and the engine receives back (passed up behind a datagram run), or the reverse, is then
// recognised whichever tier read it. Direct-mapped as RecentFrames (slot fp % GB_KP_RECENT, an
// array map's entries 16 bytes apart); times in the kernel's clock (CLOCK_MONOTONIC ns). Plain
// loads and stores, no system call. Set up by the JS thread, used by both engine threads.
#pragma once

#include <sys/mman.h>

#include <atomic>
#include <cstdint>

#include "../../bpf/gb1-kernel.h"

namespace gb {

static_assert(sizeof(gb_kp_recent) == 16, "gb_recent_read's value: the layout the BPF programs use");

class SharedRecent {
 public:
  static constexpr size_t kBytes = size_t{GB_KP_RECENT} * sizeof(gb_kp_recent);
  SharedRecent() = default;
  SharedRecent(const SharedRecent&) = delete;
  SharedRecent& operator=(const SharedRecent&) = delete;
  ~SharedRecent() {
    if (slots_ != nullptr) munmap(slots_, kBytes);
  }

  // From now on the map `fd` is kept and checked too (mapped once, for the engine's life: one
  // kernel-tier object per engine); -1: the engine's own table alone. errno on failure.
  bool Use(int fd) {
    if (fd >= 0 && slots_ == nullptr) {
      void* p = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      if (p == MAP_FAILED) return false;
      slots_ = static_cast<gb_kp_recent*>(p);
    }
    on_.store(fd >= 0, std::memory_order_release);
    return true;
  }
  bool on() const { return on_.load(std::memory_order_acquire); }

  void Put(uint64_t fp, int64_t nowUs) {
    gb_kp_recent& r = slots_[fp & (GB_KP_RECENT - 1)];
    // Time first, as the kernel tier writes it: a reader that sees the fingerprint sees its time.
    __atomic_store_n(&r.at_ns, static_cast<uint64_t>(nowUs) * 1000, __ATOMIC_RELAXED);
    __atomic_store_n(&r.fp, fp, __ATOMIC_RELEASE);
  }
  bool Seen(uint64_t fp, int64_t nowUs, int64_t windowUs) const {
    const gb_kp_recent& r = slots_[fp & (GB_KP_RECENT - 1)];
    if (__atomic_load_n(&r.fp, __ATOMIC_ACQUIRE) != fp) return false;
    // Signed: the kernel tier may have sent the frame after this batch read its clock.
    return nowUs * 1000 - static_cast<int64_t>(__atomic_load_n(&r.at_ns, __ATOMIC_RELAXED)) <= windowUs * 1000;
  }

 private:
  gb_kp_recent* slots_ = nullptr;
  std::atomic<bool> on_{false};
};

}  // namespace gb

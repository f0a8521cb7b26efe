// Fingerprints of frames seen in the last moments, for gateway mode's loop guard: a frame this
// bridge wrote to its LAN must not be read back and sent again, and a frame it read from its
// LAN must not come back from the WAN through another gateway on the same LAN.
// Fixed size, lock-free (one writer thread, one reader thread); a collision only forgets.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace gb {

// A frame's identity: 64 bits over every byte, eight at a time (every received and every read
// frame is hashed once). Not keyed: it tells frames apart, it authenticates nothing.
inline uint64_t FrameFingerprint(const uint8_t* p, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  uint64_t tail = 0;
  memcpy(&tail, p + i, n - i);
  h = (h ^ tail) * 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 29;
  return h | 1;  // 0 means "empty slot"
}

class RecentFrames {
 public:
  static constexpr size_t kSlots = 8192;
  void Put(uint64_t fp, int64_t nowUs) {
    size_t i = fp & (kSlots - 1);
    time_[i].store(nowUs, std::memory_order_relaxed);
    fp_[i].store(fp, std::memory_order_release);
  }
  bool Seen(uint64_t fp, int64_t nowUs, int64_t windowUs) const {
    size_t i = fp & (kSlots - 1);
    return fp_[i].load(std::memory_order_acquire) == fp && nowUs - time_[i].load(std::memory_order_relaxed) <= windowUs;
  }

 private:
  std::atomic<uint64_t> fp_[kSlots]{};
  std::atomic<int64_t> time_[kSlots]{};
};

}  // namespace gb

// The user-space side of the kernel tier's order rule (native/bpf/gb1-kernel.h, GB_KP_STAMP_*):
// which stamps on the datagrams the kernel tier passed up may be reported as written. A stamp is
// a CPU's running count after its datagram (every datagram of a run carries the count after the
// run), so it is complete once as many datagrams with it were read as it counts beyond the last
// one reported, or once a later stamp of that CPU is read: one CPU's datagrams reach the socket in
// order, so the ones still missing were dropped. Receive thread only; allocates on first use.
#pragma once

#include <cstdint>
#include <vector>

#include "../../bpf/gb1-kernel.h"

namespace gb {

class DrainStamps {
 public:
  // A datagram was read with this skb mark (`drained`: the group's row in gb_drained).
  void Read(uint32_t mark, const uint32_t* drained) {
    if ((mark & GB_KP_STAMP_TAG_MASK) != GB_KP_STAMP_TAG) return;
    if (cpus_.empty()) {
      cpus_.resize(GB_KP_DRAIN_CPUS);
      done_.reserve(256);  // at most two per datagram of a receive round
    }
    const uint32_t cpu = (mark >> GB_KP_STAMP_CPU_SHIFT) & (GB_KP_DRAIN_CPUS - 1);
    const uint32_t stamp = mark & GB_KP_STAMP_MASK;
    Cpu& c = cpus_[cpu];
    if (!c.known) {
      c.last = __atomic_load_n(drained + kStride * cpu, __ATOMIC_RELAXED);
      c.known = true;
    }
    if (c.count > 0 && c.stamp != stamp) Complete(cpu, c, c.stamp);
    c.stamp = stamp;
    c.count++;
    if (((stamp - c.last) & GB_KP_STAMP_MASK) == c.count) Complete(cpu, c, stamp);
  }

  // Once the round's frames are written: tells the kernel tier which stamps are through.
  void Report(uint32_t* drained) {
    for (const Done& d : done_) __atomic_store_n(drained + kStride * d.cpu, d.stamp, __ATOMIC_RELEASE);
    done_.clear();
  }

 private:
  static constexpr uint32_t kStride = 2;  // an array map's u32 entries lie 8 bytes apart
  struct Cpu {
    uint32_t stamp = 0, count = 0, last = 0;
    bool known = false;
  };
  struct Done {
    uint32_t cpu, stamp;
  };
  void Complete(uint32_t cpu, Cpu& c, uint32_t stamp) {
    c.last = stamp;
    c.count = 0;
    if (done_.size() < done_.capacity()) done_.push_back({cpu, stamp});
  }
  std::vector<Cpu> cpus_;
  std::vector<Done> done_;
};

}  // namespace gb

// PRP-style duplicate discard by message identity, for every receive path (GB1 and R-GOOSE):
// the frames written to the L2 side in the last moments, by fingerprint, with their origin (GB1
// sender id, R-GOOSE source address) and when and on which WAN path the first copy came. A later
// copy of the same frame from another origin (the other path's address, another gateway of the
// same far LAN) or with the same GB1 sequence number (the other path's copy) is discarded; the
// first copy's arrival gives the later path's skew. The same origin sending the same bytes again
// under a new number is a new message. Direct-mapped and time-bounded: a slot taken by another frame forgets the older one
// (its late copy would then be delivered again), so the table is sized well beyond what arrives
// within the window. Receive thread only; no allocation after construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

namespace gb {

class DeliveredFrames {
 public:
  static constexpr size_t kSlots = size_t{1} << 16;
  // Calloc'd: pages stay untouched (and unbacked) until frames land in them.
  DeliveredFrames() : slots_(static_cast<Slot*>(calloc(kSlots, sizeof(Slot)))) {}
  bool ok() const { return slots_ != nullptr; }

  struct Copy {
    int64_t firstUs;
    unsigned firstPath;
    bool pathNew;  // the first copy this path carried of the frame
  };
  // A copy of a frame delivered within windowUs (from another origin, or `sameMessage` from the
  // same): true, the path marked as having carried it.
  bool IsCopy(uint64_t fp, uint64_t origin, bool sameMessage, unsigned path, int64_t nowUs, int64_t windowUs, Copy* c) {
    Slot& s = slots_.get()[fp & (kSlots - 1)];
    if (s.fp != fp || nowUs - s.firstUs > windowUs || (s.origin == origin && !sameMessage)) return false;
    uint8_t bit = static_cast<uint8_t>(1u << path);
    *c = Copy{s.firstUs, s.firstPath, (s.paths & bit) == 0};
    s.paths |= bit;
    return true;
  }
  void Record(uint64_t fp, uint64_t origin, unsigned path, int64_t nowUs) {
    slots_.get()[fp & (kSlots - 1)] = Slot{fp, origin, nowUs, static_cast<uint8_t>(1u << path), static_cast<uint8_t>(path)};
  }

 private:
  struct Slot {
    uint64_t fp;
    uint64_t origin;
    int64_t firstUs;
    uint8_t paths;  // bit p: path p carried a copy
    uint8_t firstPath;
  };
  struct Free {
    void operator()(Slot* p) const { free(p); }
  };
  std::unique_ptr<Slot, Free> slots_;
};

}  // namespace gb

// GB1 encapsulation, the layout of bridge/wan/gb1-format.ts (the specification:
// bridge/spec/gb1-encapsulation.ts):
//   'G' 'B' | version 1 | flags | sender id (8) | sequence (4, big-endian) | Ethernet frame
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine-tables.h"

namespace gb {

constexpr size_t kGb1HeaderBytes = 16;
constexpr size_t kMinInnerFrame = 14 + 8;

struct Gb1View {
  uint64_t sender = 0;
  uint32_t seq = 0;
  const uint8_t* frame = nullptr;
  size_t frameLen = 0;
};

inline void PutBe32(uint8_t* p, uint32_t v) {
  p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}
inline uint32_t GetBe32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

// Writes the header in front of a frame already placed at out + kGb1HeaderBytes.
inline void Gb1WriteHeader(uint8_t* out, uint64_t sender, uint32_t seq) {
  out[0] = 'G', out[1] = 'B', out[2] = 1, out[3] = 0;
  PutBe32(out + 4, static_cast<uint32_t>(sender >> 32));
  PutBe32(out + 8, static_cast<uint32_t>(sender));
  PutBe32(out + 12, seq);
}

// Returns kForward with `v` filled, or a FromWanDrop code.
inline int Gb1Decapsulate(const uint8_t* d, size_t len, size_t maxDatagram, Gb1View* v) {
  if (len < 4) return len >= 2 && (d[0] != 'G' || d[1] != 'B') ? kBadMagic : kBadLength;
  if (d[0] != 'G' || d[1] != 'B') return kBadMagic;
  if (d[2] != 1) return kBadVersion;
  if (len < kGb1HeaderBytes + kMinInnerFrame || len > maxDatagram) return kBadLength;
  v->sender = uint64_t{GetBe32(d + 4)} << 32 | GetBe32(d + 8);
  v->seq = GetBe32(d + 12);
  v->frame = d + kGb1HeaderBytes;
  v->frameLen = len - kGb1HeaderBytes;
  return kForward;
}

}  // namespace gb

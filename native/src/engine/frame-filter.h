// The L2-side gate, the same rules as bridge/spec/frame-filter.ts (the specification; a
// property test requires both to give the same verdict for every frame). Reads a handful of
// header bytes, never the APDU, never allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine-tables.h"

namespace gb {

struct FilterOptions {
  bool enableSv = false;
  bool enableGse = false;
  bool checkAppIdRange = true;
  // One byte per APPID (empty = every APPID allowed).
  std::vector<uint8_t> allow;
};

struct FrameHeader {
  uint16_t appId = 0;
  uint16_t etherType = 0;
  bool tagged = false;
  bool hasAppId = false;  // the frame was long enough and IEC: appId is the frame's
};

// Returns kForward or a ToWanDrop code (the first block of reasons); fills `h` as far as it got.
int CheckFrame(const FilterOptions& o, const uint8_t* f, size_t len, FrameHeader* h);

// 48-bit destination MAC as an integer.
inline uint64_t DestinationMac48(const uint8_t* f) {
  return (uint64_t{f[0]} << 40) | (uint64_t{f[1]} << 32) | (uint64_t{f[2]} << 24) | (uint64_t{f[3]} << 16) |
         (uint64_t{f[4]} << 8) | uint64_t{f[5]};
}

}  // namespace gb

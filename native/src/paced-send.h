// An open-loop constant-rate frame generator for the measurement suites: frame k is due at
// start + k / rate and offered exactly once; each carries its scheduled and its actual send time
// so the generator's own lateness is measured, never hidden. It sleeps until the next frame is
// due (no spinning: a spinning generator takes a core from what it measures) and sends what is
// due with one sendmmsg, so its ceiling is the kernel's, not an event loop's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gb {

struct PacedPlan {
  int fd = -1;
  // One template per publisher; frame seq goes out as templates[seq % size].
  std::vector<std::vector<uint8_t>> templates;
  // Offsets patched in every frame: u32 BE stNum and sqNum, f64 BE txUs and eventUs.
  size_t offStNum = 0, offSqNum = 0, offTxUs = 0, offEventUs = 0;
  double rateFps = 0;
  uint64_t total = 0;
  uint32_t seqStart = 0;
  uint32_t slice = 0;
  int64_t startUs = 0;  // CLOCK_MONOTONIC µs of frame 0
};

struct PacedResult {
  uint64_t offered = 0;
  uint64_t refused = 0;
  int64_t endUs = 0;
  // Per offered frame: actual send − scheduled send, µs (≥ 0).
  std::vector<uint32_t> lagUs;
  // errno when every frame was refused for 5 s (the interface is gone); 0 otherwise.
  int stalledErrno = 0;
};

// Runs the whole plan on the calling thread.
void RunPaced(const PacedPlan& plan, PacedResult* result);

}  // namespace gb

// The engine's R-GOOSE/R-SV encapsulation (IEC 61850-90-5 session layer, native/src/rgoose/):
// an L2 frame's APDU becomes one SPDU, and a received SPDU becomes an Ethernet frame again.
// Destination MAC, VLAN tag and source MAC are not in an SPDU: they come from a per-APPID map,
// by default 01-0C-CD-01-hh-ll (GOOSE) or 01-0C-CD-04-hh-ll (SV) from the APPID, untagged, from a
// fixed locally administered source. The APDU is byte-identical end to end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "../rgoose/replay-guard.h"
#include "../rgoose/replay-numbering.h"
#include "../rgoose/rgoose.h"
#include "frame-filter.h"

namespace gb {

struct L2Target {
  uint8_t mac[6];
  int vid = -1;  // -1: untagged
  int priority = 0;
};
using L2Map = std::unordered_map<uint16_t, L2Target>;

// Source MAC of rebuilt frames: locally administered, "61850" in the last bytes.
constexpr uint8_t kRebuiltSource[6] = {0x02, 0x00, 0x00, 0x06, 0x18, 0x50};

// R-GOOSE state of one group that outlives configurations and socket sets: the receive side's
// windows and the send side's numbering. The tx thread, the rx thread and the JS thread (state
// file) take `mu` around each use.
struct RgooseGroupState {
  std::mutex mu;
  rgoose::ReplayGuard guard;
  rgoose::SpduNumbering numbering;
};

// Identity of the message an SPDU carries: its stream and the APDU bytes (stNum, sqNum and the
// content for GOOSE; smpCnt and the samples for SV).
uint64_t MessageFingerprint(const rgoose::View& v);

// Builds the SPDU for a frame the filter accepted (GOOSE or SV). Returns its length, -1 when it
// would not fit `cap` (the path MTU), 0 when the key could not be used.
long RgooseEncapsulate(rgoose::KeySlot* key, const FrameHeader& h, const uint8_t* frame, size_t len, uint32_t spduNumber,
                         const uint8_t* iv, uint8_t* out, size_t cap);

// Opens (authenticates, decrypts) the SPDU in place and writes the rebuilt Ethernet frame to
// `frame` (capacity cap). Returns kForward or a FromWanDrop code; `v` as far as parsing got.
int RgooseDecapsulate(rgoose::Keyring& ring, const L2Map& map, uint8_t* d, size_t len, rgoose::View* v, uint8_t* frame,
                      size_t cap, size_t* frameLen);

}  // namespace gb

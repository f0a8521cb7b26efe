// Gateway pairs: the gateways attached to one LAN segment share a site id and tell each other over
// the WAN that they live (a heartbeat datagram every heartbeat interval, on the default group and
// every path). All of them forward the LAN's frames (the far side keeps the first copy, see
// delivered-frames.h); exactly one writes frames from the WAN onto the LAN: the live gateway with
// the lowest sender id. The others stand by: they remember what they would have written, so that
// a frame the writer put on the LAN is never read back and sent again. A peer whose heartbeats
// stop for the hold time is dead, one that says it leaves is dead at once.
//
// Heartbeat (GB1 control datagram, 20 bytes): 'G' 'B' | 1 | flags | sender id (8) | sequence (4) |
// site id (4). flags: 0x01 control (never a frame), 0x02 leaving, 0x04 ready (listened for one hold
// time since it started: a gateway that joins does not take the LAN before it can write it).
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine-tables.h"
#include "gb1.h"

namespace gb {

constexpr size_t kHeartbeatBytes = 20;
constexpr uint8_t kGb1Control = 0x01, kGb1Leaving = 0x02, kGb1Ready = 0x04;

inline bool IsGb1Control(const uint8_t* d, size_t n) {
  return n >= 4 && d[0] == 'G' && d[1] == 'B' && d[2] == 1 && (d[3] & kGb1Control) != 0;
}

inline void WriteHeartbeat(uint8_t* out, uint64_t sender, uint32_t seq, uint32_t site, bool leaving, bool ready) {
  Gb1WriteHeader(out, sender, seq);
  out[3] = kGb1Control | (leaving ? kGb1Leaving : 0) | (ready ? kGb1Ready : 0);
  PutBe32(out + 16, site);
}

// Receive thread only: peers are heard, checked and elected there.
class SitePeers {
 public:
  static constexpr size_t kCapacity = 8;
  // A heartbeat of this site from `sender` at `address` (network byte order).
  void Heard(uint64_t sender, uint32_t address, bool leaving, bool ready, int64_t nowUs);
  bool IsPeer(uint64_t sender) const;
  bool IsPeerAddress(uint32_t address) const;
  // No live, ready peer with a lower sender id: this gateway writes the LAN.
  bool Writes(uint64_t own, int64_t nowUs, int64_t holdUs) const;
  size_t Live(int64_t nowUs, int64_t holdUs) const;

 private:
  struct Peer {
    uint64_t sender = 0;
    int64_t lastUs = 0;
    bool left = false;
    bool ready = false;
    uint32_t addresses[kMaxPaths] = {};
  };
  bool Alive(const Peer& p, int64_t nowUs, int64_t holdUs) const { return !p.left && nowUs - p.lastUs <= holdUs; }
  Peer peers_[kCapacity];
  size_t count_ = 0;
};

// Parses a heartbeat; false when it is not one (too short).
inline bool ReadHeartbeat(const uint8_t* d, size_t n, uint64_t* sender, uint32_t* site, bool* leaving, bool* ready) {
  if (n < kHeartbeatBytes) return false;
  *sender = uint64_t{GetBe32(d + 4)} << 32 | GetBe32(d + 8);
  *site = GetBe32(d + 16);
  *leaving = (d[3] & kGb1Leaving) != 0;
  *ready = (d[3] & kGb1Ready) != 0;
  return true;
}

}  // namespace gb

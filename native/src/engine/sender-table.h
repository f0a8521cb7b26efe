// Receive-side bookkeeping per sender of one multicast group. Accept (GB1) follows the same rules
// as bridge/spec/sender-tracker.ts (the specification): own datagrams and duplicates are dropped,
// sequence gaps counted as WAN loss, a restarted sender (new random id) is a new sender.
// TrackLoss (R-GOOSE) has no TypeScript twin; the engine test drives it through testFromWan.
// Fixed capacity, no allocation after construction; used by the receive thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gb {

constexpr int kSeqWindow = 64;
// How far beyond the µs of silence a forward jump must go to be a restart rather than loss.
constexpr int64_t kRestartSlack = 65536;

enum TrackVerdict : int { kTrackAccept = 0, kTrackOwn, kTrackDuplicate, kTrackStale };

struct TrackCounts {
  uint64_t gapFrames = 0, gapEvents = 0, lateFrames = 0, sendersSeen = 0, sendersEvicted = 0;
};

class SenderTable {
 public:
  explicit SenderTable(size_t capacity = 256);
  TrackVerdict Accept(uint64_t own, uint64_t sender, uint32_t seq, int64_t nowUs, TrackCounts* c);
  // R-GOOSE: senders keyed by source address and port, datagrams that already passed the replay
  // window; only loss and late arrivals are counted. A sender restarted on the same address and
  // port continues above its numbers (a crash jumps up to 2^20 ahead), a new key starts at 1: a
  // jump far beyond what its silence allows (or one back beyond the window) is a restart or a
  // rotation: re-anchored, nothing counted. Sound below 1 frame/µs.
  void TrackLoss(uint64_t source, uint32_t seq, int64_t nowUs, TrackCounts* c);
  size_t senders() const { return count_; }

 private:
  struct Entry {
    uint64_t id;
    uint32_t highest;
    uint64_t window;  // bit i: sequence (highest - i) received
    int64_t lastSeenUs;
  };
  int Find(uint64_t id);
  void Insert(uint64_t id, uint32_t seq, int64_t nowUs, TrackCounts* c);
  TrackVerdict Place(Entry& e, int32_t d, uint32_t seq, TrackCounts* c);

  std::vector<Entry> entries_;
  size_t count_ = 0;
  size_t lastHit_ = 0;
};

}  // namespace gb

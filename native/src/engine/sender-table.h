// Receive-side bookkeeping per sender of one multicast group, the same rules as
// bridge/wan/sender-tracker.ts (the specification): own datagrams and duplicates are dropped,
// sequence gaps counted as WAN loss, a restarted sender (new random id) is a new sender.
// Fixed capacity, no allocation after construction; used by the receive thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gb {

constexpr int kSeqWindow = 64;

enum TrackVerdict : int { kTrackAccept = 0, kTrackOwn, kTrackDuplicate, kTrackStale };

struct TrackCounts {
  uint64_t gapFrames = 0, gapEvents = 0, lateFrames = 0, sendersSeen = 0, sendersEvicted = 0;
};

class SenderTable {
 public:
  explicit SenderTable(size_t capacity = 256);
  TrackVerdict Accept(uint64_t own, uint64_t sender, uint32_t seq, int64_t nowUs, TrackCounts* c);
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

  std::vector<Entry> entries_;
  size_t count_ = 0;
  size_t lastHit_ = 0;
};

}  // namespace gb

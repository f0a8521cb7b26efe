#include "sender-table.h"

namespace gb {

SenderTable::SenderTable(size_t capacity) : entries_(capacity) {}

int SenderTable::Find(uint64_t id) {
  if (lastHit_ < count_ && entries_[lastHit_].id == id) return static_cast<int>(lastHit_);
  for (size_t i = 0; i < count_; i++) {
    if (entries_[i].id == id) {
      lastHit_ = i;
      return static_cast<int>(i);
    }
  }
  return -1;
}

void SenderTable::Insert(uint64_t id, uint32_t seq, int64_t nowUs, TrackCounts* c) {
  size_t i = count_;
  if (i == entries_.size()) {
    // Full: forget the sender heard from least recently (most likely gone or restarted).
    i = 0;
    for (size_t j = 1; j < count_; j++)
      if (entries_[j].lastSeenUs < entries_[i].lastSeenUs) i = j;
    c->sendersEvicted++;
  } else {
    count_++;
  }
  c->sendersSeen++;
  entries_[i] = Entry{id, seq, 1, nowUs};
  lastHit_ = i;
}

TrackVerdict SenderTable::Accept(uint64_t own, uint64_t sender, uint32_t seq, int64_t nowUs, TrackCounts* c) {
  if (sender == own) return kTrackOwn;
  int i = Find(sender);
  if (i < 0) {
    Insert(sender, seq, nowUs, c);
    return kTrackAccept;
  }
  Entry& e = entries_[static_cast<size_t>(i)];
  e.lastSeenUs = nowUs;
  return Place(e, static_cast<int32_t>(seq - e.highest), seq, c);
}

void SenderTable::TrackLoss(uint64_t source, uint32_t seq, int64_t nowUs, TrackCounts* c) {
  int i = Find(source);
  if (i < 0) {
    Insert(source, seq, nowUs, c);
    return;
  }
  Entry& e = entries_[static_cast<size_t>(i)];
  int64_t silentUs = nowUs > e.lastSeenUs ? nowUs - e.lastSeenUs : 0;
  e.lastSeenUs = nowUs;
  int32_t d = static_cast<int32_t>(seq - e.highest);
  if (d <= -kSeqWindow || static_cast<int64_t>(d) > silentUs + kRestartSlack) {
    e.highest = seq;
    e.window = 1;
    return;
  }
  // The replay window let it through, so a duplicate verdict cannot occur here; nothing else to do.
  Place(e, d, seq, c);
}

// `d`: signed distance modulo 2^32 from the newest seen (positive = ahead).
TrackVerdict SenderTable::Place(Entry& e, int32_t d, uint32_t seq, TrackCounts* c) {
  if (d > 0) {
    if (d > 1) {
      c->gapFrames += static_cast<uint64_t>(d - 1);
      c->gapEvents++;
    }
    e.window = d >= 64 ? 1 : (e.window << d) | 1;
    e.highest = seq;
    return kTrackAccept;
  }
  uint32_t back = static_cast<uint32_t>(-static_cast<int64_t>(d));
  if (back >= static_cast<uint32_t>(kSeqWindow)) return kTrackStale;
  uint64_t bit = uint64_t{1} << back;
  if (e.window & bit) return kTrackDuplicate;
  e.window |= bit;
  c->lateFrames++;
  return kTrackAccept;
}

}  // namespace gb

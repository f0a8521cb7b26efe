#include "replay-table.h"

namespace gb::rgoose {

ReplayTable::ReplayTable(size_t capacity, uint64_t resyncAfterUs)
    : capacity_(capacity > 0 ? capacity : 1), resyncAfterUs_(resyncAfterUs), entries_(new Entry[capacity_]) {}

size_t ReplayTable::IndexOf(uint64_t sender, uint32_t keyId) const {
  // Linear: a group has a handful of senders; 256 entries scan in well under a microsecond.
  for (size_t i = 0; i < count_; i++) {
    if (entries_[i].sender == sender && entries_[i].keyId == keyId) return i;
  }
  return count_;
}

Verdict ReplayTable::Check(uint64_t sender, uint32_t keyId, uint32_t n, uint64_t nowUs) const {
  size_t i = IndexOf(sender, keyId);
  return i == count_ ? Verdict::kFresh : entries_[i].window.Check(n, nowUs);
}

bool ReplayTable::Commit(uint64_t sender, uint32_t keyId, uint32_t n, uint64_t nowUs) {
  size_t i = IndexOf(sender, keyId);
  Entry* e = i < count_ ? &entries_[i] : nullptr;
  if (e == nullptr) {
    if (count_ < capacity_) {
      e = &entries_[count_++];
    } else {
      e = &entries_[0];
      for (size_t i = 1; i < count_; i++) {
        if (entries_[i].lastCommitUs < e->lastCommitUs) e = &entries_[i];
      }
      evictions_++;
    }
    e->sender = sender;
    e->keyId = keyId;
    e->window = ReplayWindow(resyncAfterUs_);
  }
  if (!e->window.Commit(n, nowUs)) return false;
  e->lastCommitUs = nowUs;
  return true;
}

}  // namespace gb::rgoose

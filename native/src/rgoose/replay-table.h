// Replay windows for all senders of one group, keyed by (sender, key id). The sender is what
// the receiver knows of the origin, e.g. source IPv4 address and UDP port packed in 64 bits.
// Entries are created only by Commit, i.e. after an SPDU authenticated: datagrams without a
// valid key cannot create, touch or evict an entry, however many arrive. When full, a new
// authenticated sender replaces the one that committed least recently. Fixed capacity, no
// allocation after construction; one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "replay-window.h"

namespace gb::rgoose {

class ReplayTable {
 public:
  explicit ReplayTable(size_t capacity = 256, uint64_t resyncAfterUs = ReplayWindow::kDefaultResyncAfterUs);

  // Verdict for n from (sender, keyId); an unknown pair is kFresh. Changes nothing.
  Verdict Check(uint64_t sender, uint32_t keyId, uint32_t n, uint64_t nowUs) const;
  // Records n (creating the entry, evicting the least recently committed one when full);
  // false and no change when Check would refuse n.
  bool Commit(uint64_t sender, uint32_t keyId, uint32_t n, uint64_t nowUs);

  size_t size() const { return count_; }
  size_t capacity() const { return capacity_; }
  uint64_t evictions() const { return evictions_; }

 private:
  struct Entry {
    uint64_t sender = 0;
    uint32_t keyId = 0;
    uint64_t lastCommitUs = 0;
    ReplayWindow window;
  };
  size_t IndexOf(uint64_t sender, uint32_t keyId) const;  // count_ when absent

  size_t capacity_;
  uint64_t resyncAfterUs_;
  std::unique_ptr<Entry[]> entries_;
  size_t count_ = 0;
  uint64_t evictions_ = 0;
};

}  // namespace gb::rgoose

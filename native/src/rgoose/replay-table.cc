#include "replay-table.h"

#include <algorithm>

namespace gb::rgoose {

namespace {

uint32_t Clamp(uint64_t v) { return v > 0xffffffffu ? 0xffffffffu : static_cast<uint32_t>(v); }

}  // namespace

ReplayTable::ReplayTable(size_t capacity) : capacity_(capacity > 0 ? capacity : 1), slots_(1) {
  while (slots_ < 2 * capacity_) slots_ <<= 1;
  entries_.reset(new Entry[capacity_]);
  index_.reset(new int[slots_]());
}

size_t ReplayTable::Slot(const WindowKey& k) const {
  uint64_t h = (uint64_t{k.sender} * 0x9e3779b97f4a7c15ull) ^ (uint64_t{k.stream} << 32 | k.keyId);
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  return static_cast<size_t>(h ^ (h >> 32)) & (slots_ - 1);
}

int ReplayTable::Find(const WindowKey& k) const {
  for (size_t s = Slot(k);; s = (s + 1) & (slots_ - 1)) {
    int e = index_[s];
    if (e == 0) return -1;
    if (entries_[e - 1].key == k) return e - 1;
  }
}

void ReplayTable::Index(int i) {
  size_t s = Slot(entries_[i].key);
  while (index_[s] != 0) s = (s + 1) & (slots_ - 1);
  index_[s] = i + 1;
}

void ReplayTable::Reindex() {
  for (size_t s = 0; s < slots_; s++) index_[s] = 0;
  for (size_t i = 0; i < count_; i++) Index(static_cast<int>(i));
}

bool ReplayTable::AnyFor(uint32_t stream, uint32_t keyId) const {
  for (size_t i = 0; i < count_; i++)
    if (entries_[i].key.stream == stream && entries_[i].key.keyId == keyId) return true;
  return false;
}

int ReplayTable::Add(const WindowKey& k) {
  if (count_ == capacity_) return -1;
  int i = static_cast<int>(count_++);
  entries_[i] = Entry();
  entries_[i].key = k;
  Index(i);
  return i;
}

int ReplayTable::Create(const WindowKey& k, uint32_t n, int64_t nowUs) {
  int i = Add(k);
  if (i < 0) return -1;
  Entry& e = entries_[i];
  e.window.Commit(n);
  e.savedTop = n;
  e.savedAtUs = nowUs;
  e.bound = Clamp(uint64_t{n} + kNewSlack);
  e.kick = n;  // not on disk at all yet
  saveDue_ = true;
  return i;
}

void ReplayTable::Commit(int i, uint32_t n) {
  Entry& e = entries_[i];
  if (!e.window.Commit(n)) return;
  if (n >= e.kick) saveDue_ = true;
}

bool ReplayTable::WithinSaved(int i, uint32_t n) const {
  const Entry& e = entries_[i];
  if (n <= e.bound) return true;
  if (!e.written) return false;
  for (size_t j = 0; j < count_; j++) {
    const Entry& o = entries_[j];
    if (o.written && o.key.sender == e.key.sender && o.key.keyId == e.key.keyId && n <= o.bound) return true;
  }
  return false;
}

void ReplayTable::Want(int i, uint32_t n) {
  entries_[i].wanted = std::max(entries_[i].wanted, n);
  saveDue_ = true;
}

size_t ReplayTable::Snapshot(bool exact, int64_t nowUs, WindowMark* out, size_t cap) {
  size_t n = 0;
  saveDue_ = false;
  for (size_t i = 0; i < count_ && n < cap; i++) {
    Entry& e = entries_[i];
    uint32_t top = e.window.newest();
    // Room for what the window may accept until the next write: four seconds at the rate it
    // accepted since the last one (over at least 10 ms), shrinking by half a write at most.
    uint64_t advance = top - std::min(top, e.savedTop);
    uint64_t elapsedUs = static_cast<uint64_t>(std::max<int64_t>(10'000, nowUs - e.savedAtUs));
    uint64_t fourSeconds = std::min<uint64_t>(kMaxGap, advance * 4'000'000 / elapsedUs);
    uint64_t gap = std::min<uint64_t>(kMaxGap, std::max<uint64_t>({kMinGap, fourSeconds, e.gap / 2}));
    e.gap = static_cast<uint32_t>(gap);
    e.pendingTop = top;
    e.pendingMark = exact ? top : std::max(Clamp(uint64_t{top} + gap), Clamp(uint64_t{e.wanted} + gap));
    e.pendingAtUs = nowUs;
    // Until this write is durable the file on disk may be the old one or this one: accept no
    // more than the lower of the two marks.
    e.bound = std::min(e.bound, e.pendingMark);
    e.pending = true;
    out[n++] = {e.key, e.pendingMark};
  }
  return n;
}

void ReplayTable::Saved() {
  for (size_t i = 0; i < count_; i++) {
    Entry& e = entries_[i];
    if (!e.pending) continue;
    e.pending = false;
    e.written = true;
    e.bound = e.pendingMark;
    e.savedTop = e.pendingTop;
    e.savedAtUs = e.pendingAtUs;
    e.kick = e.pendingTop + (e.bound - e.pendingTop) / 2;
  }
}

void ReplayTable::Restore(const WindowMark* marks, size_t n) {
  for (size_t j = 0; j < n; j++) {
    int i = Find(marks[j].key);
    if (i < 0) i = Add(marks[j].key);
    if (i < 0) return;
    Entry& e = entries_[i];
    if (e.window.anchored() && e.window.newest() >= marks[j].mark) continue;
    e.window.AnchorAt(marks[j].mark);
    e.savedTop = e.bound = e.kick = marks[j].mark;
    e.gap = kNewSlack;
    e.pending = false;
    e.written = true;
  }
  // Numbers count per sender and key across streams: every window of a sender starts at the
  // highest mark written for it.
  for (size_t i = 0; i < count_; i++) {
    for (size_t j = 0; j < count_; j++) {
      Entry& e = entries_[i];
      const Entry& o = entries_[j];
      if (o.key.sender != e.key.sender || o.key.keyId != e.key.keyId || o.bound <= e.bound) continue;
      e.window.AnchorAt(o.bound);
      e.savedTop = e.bound = e.kick = o.bound;
    }
  }
  saveDue_ = true;
}

void ReplayTable::Retain(const std::function<bool(uint32_t)>& keep) {
  size_t kept = 0;
  for (size_t i = 0; i < count_; i++) {
    if (!keep(entries_[i].key.keyId)) continue;
    if (kept != i) entries_[kept] = entries_[i];
    kept++;
  }
  if (kept == count_) return;
  count_ = kept;
  Reindex();
}

}  // namespace gb::rgoose

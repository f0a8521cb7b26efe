// SPDU numbers a sending bridge uses in one group: one counter per key id, starting at 1 for a
// key never used before and never wrapping. A counter may only hand out numbers below its
// `limit`, which is never above what the state file says the next start continues from
// (written before the numbers are used, a reservation of kReserve at a time). So a restarted or
// crashed sender always continues above every number it used: receivers' windows need no
// re-anchoring, and a restart costs no frame. The last number, 2^32 - 1, is never used: a key
// whose counter reaches it sends nothing more (rotate keys well before; the daemon warns at 3/4).
// Fixed size, no allocation; callers serialise access (the engine holds a mutex).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>

namespace gb::rgoose {

struct NumberingMark {
  uint32_t keyId = 0;
  uint32_t from = 0;  // the first number a restart may use
};

class SpduNumbering {
 public:
  static constexpr uint32_t kReserve = 1u << 20;  // numbers written ahead per reservation
  static constexpr uint32_t kExhausted = 0xffffffffu;
  static constexpr size_t kKeys = 17;  // a keyring's 16 keys and key id 0 (unsigned SPDUs)

  // The next number under keyId; false when the key has no reservation yet or is used up.
  bool Take(uint32_t keyId, uint32_t* n) {
    Counter* c = Find(keyId);
    if (c == nullptr || c->next >= c->limit || c->next == kExhausted) return false;
    *n = c->next++;
    if (c->limit - c->next < kReserve / 2) saveDue_ = true;
    return true;
  }
  // A counter for keyId (starting at 1, nothing reserved) unless there is one.
  void Prepare(uint32_t keyId) {
    if (Find(keyId) != nullptr || count_ == kKeys) return;
    c_[count_++] = Counter{keyId, 1, 1, 0, false};
    saveDue_ = true;
  }
  size_t Snapshot(bool exact, NumberingMark* out, size_t cap) {
    size_t n = 0;
    saveDue_ = false;
    for (size_t i = 0; i < count_ && n < cap; i++) {
      Counter& c = c_[i];
      uint64_t ahead = uint64_t{c.next} + kReserve;
      c.pendingLimit = exact ? c.next : std::max<uint32_t>(c.limit, ahead > kExhausted ? kExhausted : static_cast<uint32_t>(ahead));
      c.pending = true;
      out[n++] = {c.keyId, c.pendingLimit};
    }
    return n;
  }
  void Saved() {
    for (size_t i = 0; i < count_; i++) {
      if (!c_[i].pending) continue;
      c_[i].pending = false;
      c_[i].limit = std::max(c_[i].limit, c_[i].pendingLimit);
    }
  }
  // From disk: continue at `from`; nothing may be used before the next Saved().
  void Restore(const NumberingMark& m) {
    Prepare(m.keyId);
    Counter* c = Find(m.keyId);
    if (c == nullptr || c->next >= m.from) return;
    c->next = c->limit = m.from;
  }
  void Retain(const std::function<bool(uint32_t)>& keep) {
    size_t kept = 0;
    for (size_t i = 0; i < count_; i++)
      if (keep(c_[i].keyId)) c_[kept++] = c_[i];
    count_ = kept;
  }
  // A counter was added or used half its reservation since the last Snapshot: write soon.
  bool saveDue() const { return saveDue_; }
  // The next number of keyId (0 when there is no counter): how much of its space is used.
  uint32_t Next(uint32_t keyId) const {
    for (size_t i = 0; i < count_; i++)
      if (c_[i].keyId == keyId) return c_[i].next;
    return 0;
  }

 private:
  struct Counter {
    uint32_t keyId, next, limit, pendingLimit;
    bool pending;
  };
  Counter* Find(uint32_t keyId) {
    for (size_t i = 0; i < count_; i++)
      if (c_[i].keyId == keyId) return &c_[i];
    return nullptr;
  }

  Counter c_[kKeys] = {};
  size_t count_ = 0;
  bool saveDue_ = false;
};

}  // namespace gb::rgoose

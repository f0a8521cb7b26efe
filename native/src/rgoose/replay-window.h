// Anti-replay window for one sender's SPDU numbers under one key (RFC 4303 §3.4.3 sliding
// window, kept as a ring bitmap as in RFC 6479). SPDU numbers never wrap under a key (senders
// number each key from 1 and rotate before 2^32, replay-numbering.h), so "ahead" is a plain
// comparison: nothing far behind can pass for new.
//
// Use: Check() before anything changes state; Commit() only after the SPDU authenticated and
// its frame was accepted. Nothing unauthenticated ever moves the window. There is no time-based
// re-anchoring: a window refuses old numbers however long its sender was quiet.
#pragma once

#include <cstddef>
#include <cstdint>

namespace gb::rgoose {

// X(enumerator, label)
#define REPLAY_VERDICTS(X)                                                       \
  X(kFresh, "fresh")           /* first, ahead of the window, or unseen in it */ \
  X(kDuplicate, "replay")      /* already accepted */                            \
  X(kTooOld, "too-old")        /* behind the window */

enum class Verdict : uint8_t {
#define X(e, label) e,
  REPLAY_VERDICTS(X)
#undef X
};
const char* VerdictLabel(Verdict v);

class ReplayWindow {
 public:
  static constexpr uint32_t kWidth = 1024;  // numbers tolerated out of order behind the newest

  // What Commit would do with n; changes nothing.
  Verdict Check(uint32_t n) const;
  // Records n as accepted; false (and no change) when Check would not accept it.
  bool Commit(uint32_t n);
  // Restored state: every number up to and including `top` counts as accepted.
  void AnchorAt(uint32_t top);
  void Reset();

  bool anchored() const { return anchored_; }
  uint32_t newest() const { return top_; }

 private:
  bool Seen(uint32_t n) const { return (bits_[(n % kWidth) / 64] >> (n % 64)) & 1; }
  void Mark(uint32_t n) { bits_[(n % kWidth) / 64] |= uint64_t{1} << (n % 64); }
  void Clear(uint32_t n) { bits_[(n % kWidth) / 64] &= ~(uint64_t{1} << (n % 64)); }

  bool anchored_ = false;
  uint32_t top_ = 0;  // newest accepted number
  uint64_t bits_[kWidth / 64] = {};  // bit (m mod kWidth) = m accepted, for m in (top - kWidth, top]
};

}  // namespace gb::rgoose

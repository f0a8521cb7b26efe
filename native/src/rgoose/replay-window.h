// Anti-replay window for one sender's SPDU numbers (RFC 4303 §3.4.3 sliding window, kept as a
// ring bitmap as in RFC 6479, with RFC 1982 serial-number arithmetic so the 32-bit SPDU number
// may wrap). Keep one window per (sender, key id): a new key id starts a new window, which is
// the clean way to restart a sender's numbering.
//
// Use: Check() before anything changes state; Commit() only after the SPDU authenticated and
// its frame was accepted. Nothing unauthenticated ever moves the window.
//
// Restart rule. A restarted sender numbers from its start value again, which its receivers
// would reject as old. If no SPDU was committed for resyncAfterUs (the sender went quiet, as a
// restarting one does), the next authenticated SPDU that would be rejected as old or duplicate
// is accepted instead and re-anchors the window (Verdict kResync). Senders therefore must not
// stay silent longer than resyncAfterUs while running (send an idle keepalive SPDU). Residual
// risk: whoever silences a sender for resyncAfterUs can replay recorded SPDUs of that key;
// rotating the key id at sender start closes it. resyncAfterUs = 0 disables re-sync (strict).
#pragma once

#include <cstddef>
#include <cstdint>

namespace gb::rgoose {

// X(enumerator, label)
#define REPLAY_VERDICTS(X)                                                          \
  X(kFresh, "fresh")           /* first, ahead of the window, or unseen in it */    \
  X(kResync, "resync")         /* old or seen, but the sender was quiet: re-anchor */ \
  X(kDuplicate, "replay")      /* already accepted */                               \
  X(kTooOld, "too-old")        /* behind the window */

enum class Verdict : uint8_t {
#define X(e, label) e,
  REPLAY_VERDICTS(X)
#undef X
};
const char* VerdictLabel(Verdict v);
inline bool Accepts(Verdict v) { return v == Verdict::kFresh || v == Verdict::kResync; }

class ReplayWindow {
 public:
  static constexpr uint32_t kWidth = 1024;  // numbers tolerated out of order behind the newest
  static constexpr uint64_t kDefaultResyncAfterUs = 5'000'000;

  explicit ReplayWindow(uint64_t resyncAfterUs = kDefaultResyncAfterUs) : resyncAfterUs_(resyncAfterUs) {}

  // What Commit would do with n at time nowUs (monotonic µs); changes nothing.
  Verdict Check(uint32_t n, uint64_t nowUs) const;
  // Records n as accepted; false (and no change) when Check would not accept it.
  bool Commit(uint32_t n, uint64_t nowUs);
  void Reset();

  bool anchored() const { return anchored_; }
  uint32_t newest() const { return top_; }

 private:
  bool Seen(uint32_t n) const { return (bits_[(n % kWidth) / 64] >> (n % 64)) & 1; }
  void Mark(uint32_t n) { bits_[(n % kWidth) / 64] |= uint64_t{1} << (n % 64); }
  void Clear(uint32_t n) { bits_[(n % kWidth) / 64] &= ~(uint64_t{1} << (n % 64)); }
  void Anchor(uint32_t n);

  uint64_t resyncAfterUs_;
  bool anchored_ = false;
  uint32_t top_ = 0;  // newest accepted number
  uint64_t lastCommitUs_ = 0;
  uint64_t bits_[kWidth / 64] = {};  // bit (m mod kWidth) = m accepted, for m in (top - kWidth, top]
};

}  // namespace gb::rgoose

#include "replay-window.h"

namespace gb::rgoose {

const char* VerdictLabel(Verdict v) {
  static const char* const kLabels[] = {
#define X(e, label) label,
      REPLAY_VERDICTS(X)
#undef X
  };
  size_t i = static_cast<size_t>(v);
  return i < sizeof kLabels / sizeof kLabels[0] ? kLabels[i] : "?";
}

Verdict ReplayWindow::Check(uint32_t n, uint64_t nowUs) const {
  if (!anchored_) return Verdict::kFresh;
  // RFC 1982: n is ahead when (n - top) mod 2^32 lies in [1, 2^31).
  uint32_t ahead = n - top_;
  if (ahead != 0 && ahead < 0x80000000u) return Verdict::kFresh;
  uint32_t behind = top_ - n;
  Verdict v = behind >= kWidth ? Verdict::kTooOld : Seen(n) ? Verdict::kDuplicate : Verdict::kFresh;
  if (v != Verdict::kFresh && resyncAfterUs_ > 0 && nowUs >= lastCommitUs_ && nowUs - lastCommitUs_ >= resyncAfterUs_)
    return Verdict::kResync;
  return v;
}

void ReplayWindow::Anchor(uint32_t n) {
  for (uint64_t& w : bits_) w = 0;
  anchored_ = true;
  top_ = n;
  Mark(n);
}

bool ReplayWindow::Commit(uint32_t n, uint64_t nowUs) {
  Verdict v = Check(n, nowUs);
  if (!Accepts(v)) return false;
  uint32_t ahead = n - top_;
  if (!anchored_ || v == Verdict::kResync || (ahead >= kWidth && ahead < 0x80000000u)) {
    Anchor(n);  // first, re-sync, or a jump that leaves the whole window behind
  } else if (ahead != 0 && ahead < 0x80000000u) {
    for (uint32_t m = top_ + 1; m != n; m++) Clear(m);  // slots reused by numbers skipped over
    Mark(n);
    top_ = n;
  } else {
    Mark(n);
  }
  lastCommitUs_ = nowUs;
  return true;
}

void ReplayWindow::Reset() {
  for (uint64_t& w : bits_) w = 0;
  anchored_ = false;
  top_ = 0;
  lastCommitUs_ = 0;
}

}  // namespace gb::rgoose

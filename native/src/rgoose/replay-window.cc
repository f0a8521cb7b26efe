#include "replay-window.h"

#include "table-lookup.h"

namespace gb::rgoose {

namespace {
#define X(e, label) label,
const char* const kLabels[] = {REPLAY_VERDICTS(X)};
#undef X
}  // namespace

const char* VerdictLabel(Verdict v) { return LabelAt(kLabels, v); }

Verdict ReplayWindow::Check(uint32_t n) const {
  if (!anchored_ || n > top_) return Verdict::kFresh;
  if (top_ - n >= kWidth) return Verdict::kTooOld;
  return Seen(n) ? Verdict::kDuplicate : Verdict::kFresh;
}

bool ReplayWindow::Commit(uint32_t n) {
  if (Check(n) != Verdict::kFresh) return false;
  if (anchored_ && n <= top_) {  // fresh and inside the window
    Mark(n);
    return true;
  }
  if (!anchored_ || n - top_ >= kWidth) {
    for (uint64_t& w : bits_) w = 0;  // first, or a jump that leaves the whole window behind
  } else {
    for (uint32_t m = top_ + 1; m != n; m++) Clear(m);  // slots reused by numbers skipped over
  }
  anchored_ = true;
  Mark(n);
  top_ = n;
  return true;
}

void ReplayWindow::AnchorAt(uint32_t top) {
  for (uint64_t& w : bits_) w = ~uint64_t{0};
  anchored_ = true;
  top_ = top;
}

void ReplayWindow::Reset() {
  for (uint64_t& w : bits_) w = 0;
  anchored_ = false;
  top_ = 0;
}

}  // namespace gb::rgoose

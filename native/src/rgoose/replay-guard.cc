#include "replay-guard.h"

#include "table-lookup.h"

namespace gb::rgoose {

namespace {
#define X(e, label) label,
const char* const kLabels[] = {REPLAY_OUTCOMES(X)};
#undef X
}  // namespace

const char* OutcomeLabel(Outcome o) { return LabelAt(kLabels, o); }

Outcome ReplayGuard::Accept(const WindowKey& k, uint32_t n, uint64_t message, int64_t nowUs) {
  int i = table_.Find(k);
  if (i >= 0) {
    Verdict v = table_.Check(i, n);
    if (v == Verdict::kDuplicate) return Outcome::kReplay;
    if (v == Verdict::kTooOld) return Outcome::kStale;
    if (!table_.WithinSaved(i, n)) {
      table_.Want(i, n);
      return Outcome::kStateNotSaved;
    }
    table_.Commit(i, n);
    return Deliver(message, nowUs);
  }
  if (log_.Seen(message, nowUs, kMessageHorizonUs)) {
    // Corroborated: this sender forwards what an admitted one just delivered.
    return table_.Create(k, n, nowUs) < 0 ? Outcome::kSendersFull : Outcome::kDuplicateMessage;
  }
  if (!table_.AnyFor(k.stream, k.keyId)) {
    if (table_.Create(k, n, nowUs) < 0) return Outcome::kSendersFull;
    return Deliver(message, nowUs);
  }
  Remember(k, n, message, nowUs);
  return Outcome::kUnconfirmedSender;
}

Outcome ReplayGuard::Deliver(uint64_t message, int64_t nowUs) {
  if (log_.Seen(message, nowUs, kMessageHorizonUs)) return Outcome::kDuplicateMessage;
  log_.Put(message, nowUs);
  // A sender refused a moment ago with this very message was ahead of the admitted one.
  for (Pending& p : pending_) {
    if (!p.used || p.message != message) continue;
    p.used = false;
    if (nowUs - p.atUs <= kMessageHorizonUs && table_.Find(p.key) < 0) table_.Create(p.key, p.n, nowUs);
  }
  return Outcome::kDeliver;
}

void ReplayGuard::Remember(const WindowKey& k, uint32_t n, uint64_t message, int64_t nowUs) {
  for (Pending& p : pending_) {
    if (p.used && p.key == k) {  // one entry per sender: its latest SPDU
      p = {k, n, message, nowUs, true};
      return;
    }
  }
  pending_[nextPending_] = {k, n, message, nowUs, true};
  nextPending_ = (nextPending_ + 1) % kPending;
}

}  // namespace gb::rgoose

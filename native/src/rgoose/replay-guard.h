// Which authentic SPDUs of one group are delivered: per-sender replay windows (replay-table.h)
// plus the identity of the GOOSE/SV message carried, so that two bridges forwarding the same
// stream (redundant gateways) neither shadow each other nor deliver a message twice.
//
// Why the sender cannot simply be trusted. Every bridge of a group signs with the same group
// key, so the signature proves "a key holder built this SPDU", not which one: the source address
// that names a sender is a claim. Recorded SPDUs replayed from a forged address would find no
// window of their own. So a sender the group does not know yet is admitted only
//   - as the first sender of its (stream, key): nothing of that stream under that key was
//     accepted before (a new key, a new stream), or
//   - by corroboration: its SPDU carries a message this group delivered in the last
//     kMessageHorizonUs from an admitted sender (or an admitted sender delivers, within that
//     time, a message it sent first): it forwards the live stream, not a recording. Its window
//     starts at that SPDU's number, so older numbers (recordings) stay refused.
// Everything else from an unknown sender is `unconfirmed-sender`. A message already delivered
// within the horizon is a `duplicate` whichever sender brings it (GOOSE retransmissions differ
// in sqNum; an SV sample repeats byte for byte only after smpCnt wraps, once per second).
// Pure: the clock is passed in; fixed size; one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>

#include "replay-table.h"

namespace gb::rgoose {

// X(enumerator, label): labels are the engine's drop reasons.
#define REPLAY_OUTCOMES(X)                                                                   \
  X(kDeliver, "deliver")                                                                     \
  X(kReplay, "replay")                        /* number already accepted from this sender */ \
  X(kStale, "stale")                          /* behind this sender's window */              \
  X(kDuplicateMessage, "duplicate")           /* message already delivered (other sender) */ \
  X(kUnconfirmedSender, "unconfirmed-sender") /* unknown sender, nothing corroborates it */  \
  X(kStateNotSaved, "state-not-saved")        /* ahead of what the state file covers yet */  \
  X(kSendersFull, "senders-full")             /* no room for another sender window */

enum class Outcome : uint8_t {
#define X(e, label) e,
  REPLAY_OUTCOMES(X)
#undef X
};
const char* OutcomeLabel(Outcome o);

// Fingerprints of messages delivered recently (direct-mapped; a collision only forgets).
class MessageLog {
 public:
  static constexpr size_t kSlots = 4096;
  bool Seen(uint64_t fp, int64_t nowUs, int64_t horizonUs) const {
    size_t i = fp & (kSlots - 1);
    return fp_[i] == fp && nowUs - time_[i] <= horizonUs;
  }
  void Put(uint64_t fp, int64_t nowUs) {
    size_t i = fp & (kSlots - 1);
    fp_[i] = fp;
    time_[i] = nowUs;
  }

 private:
  uint64_t fp_[kSlots] = {};
  int64_t time_[kSlots] = {};
};

class ReplayGuard {
 public:
  static constexpr int64_t kMessageHorizonUs = 500'000;
  static constexpr size_t kPending = 16;

  explicit ReplayGuard(size_t capacity = 1024) : table_(capacity) {}

  // An authentic SPDU number n under keyId from `sender`, carrying the message whose
  // fingerprint is `message` (of the stream and the APDU bytes). Decides and records.
  Outcome Accept(const WindowKey& k, uint32_t n, uint64_t message, int64_t nowUs);

  ReplayTable& table() { return table_; }

 private:
  struct Pending {
    WindowKey key;
    uint32_t n = 0;
    uint64_t message = 0;
    int64_t atUs = 0;
    bool used = false;
  };
  Outcome Deliver(uint64_t message, int64_t nowUs);
  void Remember(const WindowKey& k, uint32_t n, uint64_t message, int64_t nowUs);

  ReplayTable table_;
  MessageLog log_;
  Pending pending_[kPending];
  size_t nextPending_ = 0;
};

}  // namespace gb::rgoose

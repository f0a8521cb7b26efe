// Replay windows of one group, one per (sender, stream, key id), and what of them is on disk.
// The sender is the source IPv4 address (a bridge keeps it across restarts; its UDP port may
// change), the stream is R-GOOSE/R-SV and the APPID. Windows are created only by Create, i.e.
// after an SPDU authenticated and was admitted (replay-guard.h); none is ever evicted, so no
// flood can make the table forget a sender. A full table refuses new senders.
//
// Persistence. Each window may accept numbers up to its `bound`, which is never above the mark
// last written to disk. Snapshot() computes the marks to write: top + a gap of four seconds at
// the rate the window accepted since the last write (at least kMinGap, at least half the previous
// gap), and holds each window below the lower of its old and new mark meanwhile; Saved() moves
// the bounds to the new marks once the file is durable; a window past half its gap asks for a
// write (saveDue). So a mark follows a slow stream closely and a fast one far ahead. After a crash the restored window starts at the mark, above everything
// accepted: nothing accepted is accepted twice; a live sender loses at most the gap. A clean
// stop writes exact marks (exact = true): nothing is lost. Fixed capacity, no allocation after
// construction; callers serialise access (the engine holds a mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "replay-window.h"

namespace gb::rgoose {

struct WindowKey {
  uint32_t sender = 0;  // IPv4 address, network byte order
  uint32_t stream = 0;  // isSv << 16 | APPID
  uint32_t keyId = 0;
  bool operator==(const WindowKey& o) const { return sender == o.sender && stream == o.stream && keyId == o.keyId; }
};

struct WindowMark {
  WindowKey key;
  uint32_t mark = 0;  // every number up to this one counts as accepted after a restart
};

class ReplayTable {
 public:
  static constexpr uint32_t kMinGap = 64;     // numbers a window may run ahead of its last written top (a burst)
  static constexpr uint32_t kNewSlack = 256;  // the same for a window new or restored (halves per write)
  static constexpr uint32_t kMaxGap = 1u << 24;

  explicit ReplayTable(size_t capacity = 1024);

  int Find(const WindowKey& k) const;  // -1 when absent
  bool AnyFor(uint32_t stream, uint32_t keyId) const;
  // A new window that accepted n; -1 (nothing changed) when the table is full.
  int Create(const WindowKey& k, uint32_t n, int64_t nowUs);
  Verdict Check(int i, uint32_t n) const { return entries_[i].window.Check(n); }
  // False when n is above what the disk covers: the caller refuses it until the next write. A
  // sender numbers SPDUs per key across its streams, so a window already written may go up to the
  // highest bound of its sender's windows under that key (restored windows start at their
  // sender's highest mark, so that covers it).
  bool WithinSaved(int i, uint32_t n) const;
  void Commit(int i, uint32_t n);
  // n was refused by WithinSaved: the next write covers it (a jump after WAN loss or a sender's
  // crash costs the SPDUs that arrive before that write, not the stream).
  void Want(int i, uint32_t n);

  // Marks to write (at most cap; all when cap ≥ size()). exact: the data plane is stopped.
  size_t Snapshot(bool exact, int64_t nowUs, WindowMark* out, size_t cap);
  // The last Snapshot's marks are durable: windows may accept up to them.
  void Saved();
  // Windows from disk: all numbers up to the mark count as accepted; nothing new is accepted
  // before the next Saved().
  void Restore(const WindowMark* marks, size_t n);
  // Forgets the windows of keys for which keep(keyId) is false (keys no longer configured).
  void Retain(const std::function<bool(uint32_t)>& keep);
  // A window was created or ran past half its gap since the last Snapshot: write soon.
  bool saveDue() const { return saveDue_; }

  size_t size() const { return count_; }
  size_t capacity() const { return capacity_; }

 private:
  struct Entry {
    WindowKey key;
    ReplayWindow window;
    uint32_t bound = 0, savedTop = 0, kick = 0, gap = kNewSlack, wanted = 0, pendingTop = 0, pendingMark = 0;
    int64_t savedAtUs = 0, pendingAtUs = 0;  // when savedTop / pendingTop were taken
    bool pending = false, written = false;
  };
  size_t Slot(const WindowKey& k) const;
  void Index(int i);
  void Reindex();
  int Add(const WindowKey& k);

  size_t capacity_, slots_;
  std::unique_ptr<Entry[]> entries_;
  std::unique_ptr<int[]> index_;  // open addressing: entry + 1, 0 = empty
  size_t count_ = 0;
  bool saveDue_ = false;
};

}  // namespace gb::rgoose

// TAP reads and writes in batches, one io_uring submission each, behind the shapes the engine's
// loops already use: the tx thread still asks for one frame at a time and the rx thread still
// hands over one frame at a time. Frames are copied to and from the batch's own slots (a few
// hundred bytes each: cheaper by far than the system calls saved), so no caller's buffer has to
// outlive a call. Without io_uring (old kernel, seccomp, kernel.io_uring_disabled) ok() is false
// and the engine reads and writes as before.
#pragma once

#include <errno.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "io-ring.h"

namespace gb {

// A thread's ring and the frame slots its submissions read into or write from.
struct RingSlots {
  static constexpr size_t kSlots = 64;
  /** 0 or the errno that leaves this thread without a ring. */
  int Init(size_t slotBytes);
  uint8_t* Slot(size_t i) const { return slots.get() + i * slotBytes; }

  IoRing ring;
  std::unique_ptr<uint8_t[]> slots;
  size_t slotBytes = 0;
};

class TapBurstReader {
 public:
  static constexpr size_t kBurst = RingSlots::kSlots;
  int Init(size_t slotBytes) { return io_.Init(slotBytes); }
  bool ok() const { return io_.ring.ok(); }
  /** Frames already read from the TAP and not yet handed out: the thread must not sleep on poll(). */
  bool Pending() const { return next_ < have_; }
  /** As read(2) on the TAP: the frame's length, or −errno (−EAGAIN: none queued). */
  ssize_t Read(int fd, uint8_t* dst, size_t cap);
  /** Bursts (system calls) since the last call. */
  uint64_t TakeCalls() { uint64_t n = calls_; calls_ = 0; return n; }

 private:
  int Burst(int fd);

  RingSlots io_;
  int32_t res_[kBurst] = {};
  size_t next_ = 0, have_ = 0;
  size_t size_ = 2;       // reads in the next burst: follows the rate, from 2 to kBurst
  bool drained_ = false;  // the last burst found the queue empty
  uint64_t calls_ = 0;
};

class TapBatchWriter {
 public:
  static constexpr size_t kBatch = RingSlots::kSlots;
  int Init(size_t slotBytes) { return io_.Init(slotBytes); }
  bool ok() const { return io_.ring.ok(); }
  bool Full() const { return queued_ == kBatch; }
  bool Empty() const { return queued_ == 0; }
  /** Copies the frame into the batch; `tag` comes back with its result from Flush. */
  void Queue(int fd, const uint8_t* frame, size_t n, uint64_t tag);
  /** Writes the batch; done(tag, ok) once per queued frame, in order. */
  template <typename F>
  void Flush(F&& done);

 private:
  RingSlots io_;
  uint64_t tags_[kBatch] = {};
  int32_t res_[kBatch] = {};
  size_t queued_ = 0;
};

template <typename F>
void TapBatchWriter::Flush(F&& done) {
  if (queued_ == 0) return;
  for (size_t i = 0; i < queued_; i++) res_[i] = -ECANCELED;  // stays so if the ring fails
  io_.ring.Run([this](uint64_t i, int32_t res) { res_[i] = res; });
  for (size_t i = 0; i < queued_; i++) done(tags_[i], res_[i] >= 0);
  queued_ = 0;
}

}  // namespace gb

#include "tap-batch.h"

#include <errno.h>
#include <string.h>

#include <algorithm>

namespace gb {

int RingSlots::Init(size_t bytes) {
  if (ring.ok()) return 0;
  int err = ring.Init(kSlots);
  if (err != 0) return err;
  slotBytes = bytes;
  slots.reset(new uint8_t[kSlots * bytes]);
  return 0;
}

int TapBurstReader::Burst(int fd) {
  for (size_t k = 0; k < size_; k++) {
    res_[k] = -EAGAIN;  // stays so if the ring fails: nothing was read into the slot
    io_.ring.PrepareRead(fd, io_.Slot(k), io_.slotBytes, k);
  }
  have_ = size_;
  next_ = 0;
  calls_++;
  int err = io_.ring.Run([this](uint64_t k, int32_t res) { res_[k] = res; });
  size_t got = 0;
  drained_ = false;
  for (size_t k = 0; k < have_; k++) {
    if (res_[k] > 0) got++;
    if (res_[k] == -EAGAIN) drained_ = true;
  }
  size_ = std::min(kBurst, std::max<size_t>(2, 2 * got));
  return err;
}

ssize_t TapBurstReader::Read(int fd, uint8_t* dst, size_t cap) {
  for (;;) {
    while (next_ < have_) {
      size_t k = next_++;
      int32_t r = res_[k];
      if (r == -EAGAIN) continue;  // a read the queue could not fill; a later one may have
      if (r < 0) {
        next_ = have_;  // the rest of the burst met the same broken TAP: one error is enough
        drained_ = false;
        return r;
      }
      size_t n = std::min(static_cast<size_t>(r), cap);
      memcpy(dst, io_.Slot(k), n);
      return static_cast<ssize_t>(n);
    }
    if (drained_) {
      drained_ = false;  // the next call starts a burst: the caller polls first
      return -EAGAIN;
    }
    // A ring that failed is closed: what it read is handed out first, then the caller reads itself.
    if (!ok() || Burst(fd) != 0) return -EAGAIN;
  }
}

void TapBatchWriter::Queue(int fd, const uint8_t* frame, size_t n, uint64_t tag) {
  uint8_t* slot = io_.Slot(queued_);
  n = std::min(n, io_.slotBytes);
  memcpy(slot, frame, n);
  io_.ring.PrepareWrite(fd, slot, n, queued_);
  tags_[queued_++] = tag;
}

}  // namespace gb

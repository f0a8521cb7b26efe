// A small io_uring (no liburing: Node's headers and the kernel's are all the addon builds with)
// for the one thing the data plane needs from it: many TAP reads or writes for one system call.
// On a virtual machine a system call's entry and exit cost as much as the TAP work itself, so
// under load the engine's threads spent half their time entering the kernel one frame at a time.
// Each thread owns its rings; nothing here is shared.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>

struct io_uring_sqe;
struct io_uring_cqe;

namespace gb {

class IoRing {
 public:
  IoRing() = default;
  IoRing(const IoRing&) = delete;
  IoRing& operator=(const IoRing&) = delete;
  ~IoRing();

  /** 0, or the errno that says why this kernel gives us no ring (too old, seccomp, sysctl). */
  int Init(unsigned entries);
  bool ok() const { return fd_ >= 0; }
  unsigned capacity() const { return entries_; }

  void PrepareRead(int fd, void* buf, size_t len, uint64_t tag);
  void PrepareWrite(int fd, const void* buf, size_t len, uint64_t tag);
  /** Submits what was prepared and waits for all of it; each completion goes to done(tag, res).
   * An error (errno) closes the ring: its owner goes back to one system call per frame. */
  template <typename F>
  int Run(F&& done) {
    int err = SubmitAndWait();
    Reap(done);
    if (err != 0) Release();
    return err;
  }

 private:
  void Release();
  io_uring_sqe* Next();
  void PrepareReadWrite(uint8_t op, int fd, uint64_t addr, size_t len, uint64_t tag);
  int SubmitAndWait();
  template <typename F>
  void Reap(F& done);
  bool TakeCompletion(uint64_t* tag, int32_t* res);

  int fd_ = -1;
  unsigned entries_ = 0;
  unsigned prepared_ = 0;
  void* sqMap_ = nullptr;
  size_t sqMapBytes_ = 0;
  void* cqMap_ = nullptr;
  size_t cqMapBytes_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  size_t sqesBytes_ = 0;
  unsigned* sqTail_ = nullptr;
  unsigned* sqArray_ = nullptr;
  unsigned sqMask_ = 0;
  unsigned* cqHead_ = nullptr;
  unsigned* cqTail_ = nullptr;
  unsigned cqMask_ = 0;
  io_uring_cqe* cqes_ = nullptr;
};

template <typename F>
void IoRing::Reap(F& done) {
  uint64_t tag;
  int32_t res;
  while (TakeCompletion(&tag, &res)) done(tag, res);
}

}  // namespace gb

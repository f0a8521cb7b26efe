#include "io-ring.h"

#include <errno.h>
#include <linux/io_uring.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

namespace gb {

namespace {
template <typename T>
T* At(void* base, unsigned offset) {
  return reinterpret_cast<T*>(static_cast<char*>(base) + offset);
}
}  // namespace

IoRing::~IoRing() { Release(); }

void IoRing::Release() {
  if (sqes_ != nullptr) munmap(sqes_, sqesBytes_);
  if (cqMap_ != nullptr && cqMap_ != sqMap_) munmap(cqMap_, cqMapBytes_);
  if (sqMap_ != nullptr) munmap(sqMap_, sqMapBytes_);
  if (fd_ >= 0) close(fd_);
  sqes_ = nullptr;
  sqMap_ = cqMap_ = nullptr;
  fd_ = -1;
  entries_ = prepared_ = 0;
}

int IoRing::Init(unsigned entries) {
  io_uring_params p{};
  // Completions are reaped by the one thread that submits, right after it submits.
  p.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER;
  int fd = static_cast<int>(syscall(__NR_io_uring_setup, entries, &p));
  if (fd < 0 && errno == EINVAL) {  // a kernel older than these flags
    p = io_uring_params{};
    fd = static_cast<int>(syscall(__NR_io_uring_setup, entries, &p));
  }
  if (fd < 0) return errno;
  fd_ = fd;
  sqMapBytes_ = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  cqMapBytes_ = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
  bool single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
  if (single) sqMapBytes_ = cqMapBytes_ = std::max(sqMapBytes_, cqMapBytes_);
  sqesBytes_ = p.sq_entries * sizeof(io_uring_sqe);
  void* sq = mmap(nullptr, sqMapBytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
  void* cq = single ? sq : mmap(nullptr, cqMapBytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_CQ_RING);
  void* sqes = mmap(nullptr, sqesBytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
  sqMap_ = sq == MAP_FAILED ? nullptr : sq;
  cqMap_ = cq == MAP_FAILED ? nullptr : cq;
  sqes_ = sqes == MAP_FAILED ? nullptr : static_cast<io_uring_sqe*>(sqes);
  if (sqMap_ == nullptr || cqMap_ == nullptr || sqes_ == nullptr) {
    int err = errno;
    Release();
    return err;
  }
  sqTail_ = At<unsigned>(sqMap_, p.sq_off.tail);
  sqArray_ = At<unsigned>(sqMap_, p.sq_off.array);
  sqMask_ = *At<unsigned>(sqMap_, p.sq_off.ring_mask);
  cqHead_ = At<unsigned>(cqMap_, p.cq_off.head);
  cqTail_ = At<unsigned>(cqMap_, p.cq_off.tail);
  cqMask_ = *At<unsigned>(cqMap_, p.cq_off.ring_mask);
  cqes_ = At<io_uring_cqe>(cqMap_, p.cq_off.cqes);
  entries_ = p.sq_entries;
  return 0;
}

io_uring_sqe* IoRing::Next() {
  unsigned tail = *sqTail_;
  unsigned i = tail & sqMask_;
  io_uring_sqe* e = &sqes_[i];
  memset(e, 0, sizeof *e);
  sqArray_[i] = i;
  __atomic_store_n(sqTail_, tail + 1, __ATOMIC_RELEASE);
  prepared_++;
  return e;
}

void IoRing::PrepareReadWrite(uint8_t op, int fd, uint64_t addr, size_t len, uint64_t tag) {
  io_uring_sqe* e = Next();
  e->opcode = op;
  e->fd = fd;
  e->addr = addr;
  e->len = static_cast<uint32_t>(len);
  e->off = ~uint64_t{0};  // the file's own position: a TAP has none
  // What cannot be done now completes with -EAGAIN, as read(2)/write(2) on the O_NONBLOCK TAP
  // would, instead of staying armed until it can (which io_uring does even on such a file).
  e->rw_flags = RWF_NOWAIT;
  e->user_data = tag;
}

void IoRing::PrepareRead(int fd, void* buf, size_t len, uint64_t tag) {
  PrepareReadWrite(IORING_OP_READ, fd, reinterpret_cast<uint64_t>(buf), len, tag);
}

void IoRing::PrepareWrite(int fd, const void* buf, size_t len, uint64_t tag) {
  PrepareReadWrite(IORING_OP_WRITE, fd, reinterpret_cast<uint64_t>(buf), len, tag);
}

int IoRing::SubmitAndWait() {
  unsigned want = prepared_, left = prepared_;
  prepared_ = 0;
  for (;;) {
    unsigned ready = __atomic_load_n(cqTail_, __ATOMIC_ACQUIRE) - *cqHead_;
    if (left == 0 && ready >= want) return 0;
    long r = syscall(__NR_io_uring_enter, fd_, left, want > ready ? want - ready : 0, IORING_ENTER_GETEVENTS, nullptr, 0);
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EBUSY) continue;
      return errno;
    }
    left -= static_cast<unsigned>(r);
  }
}

bool IoRing::TakeCompletion(uint64_t* tag, int32_t* res) {
  unsigned head = *cqHead_;
  if (head == __atomic_load_n(cqTail_, __ATOMIC_ACQUIRE)) return false;
  const io_uring_cqe& c = cqes_[head & cqMask_];
  *tag = c.user_data;
  *res = c.res;
  __atomic_store_n(cqHead_, head + 1, __ATOMIC_RELEASE);
  return true;
}

}  // namespace gb

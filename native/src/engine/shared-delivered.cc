#include "shared-delivered.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace gb {

namespace {

int MapCall(int cmd, int fd, const uint64_t* key, void* value, uint64_t flags) {
  union bpf_attr a;
  memset(&a, 0, sizeof a);
  a.map_fd = static_cast<uint32_t>(fd);
  a.key = reinterpret_cast<uintptr_t>(key);
  a.value = reinterpret_cast<uintptr_t>(value);
  a.flags = flags;
  return static_cast<int>(syscall(__NR_bpf, cmd, &a, sizeof a));
}

}  // namespace

SharedDelivered::~SharedDelivered() {
  if (fd_ >= 0) close(fd_);
}

bool SharedDelivered::Use(int fd) {
  if (fd < 0) {
    on_.store(false, std::memory_order_release);
    return true;
  }
  if (fd_ < 0) {
    int own = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (own < 0) return false;
    fd_ = own;
  }
  on_.store(true, std::memory_order_release);
  return true;
}

bool SharedDelivered::IsCopyElseClaim(uint64_t fp, uint64_t origin, bool sameMessage, unsigned path, int64_t nowUs, int64_t windowUs,
                                      DeliveredFrames::Copy* c) const {
  const uint64_t nowNs = static_cast<uint64_t>(nowUs) * 1000;
  gb_kp_delivered first{origin, nowNs, 1u << path, path};
  if (!sameMessage && MapCall(BPF_MAP_UPDATE_ELEM, fd_, &fp, &first, BPF_NOEXIST) == 0) return false;
  gb_kp_delivered s;
  if (MapCall(BPF_MAP_LOOKUP_ELEM, fd_, &fp, &s, 0) != 0) {
    // Gone since the claim failed (evicted): nothing to be a copy of.
    if (!sameMessage) MapCall(BPF_MAP_UPDATE_ELEM, fd_, &fp, &first, BPF_ANY);
    return false;
  }
  // Signed: the kernel tier may have made the entry after this batch read its clock.
  if (static_cast<int64_t>(nowNs - s.first_ns) > windowUs * 1000 || (s.origin == origin && !sameMessage)) {
    if (!sameMessage) MapCall(BPF_MAP_UPDATE_ELEM, fd_, &fp, &first, BPF_ANY);
    return false;
  }
  const uint32_t bit = 1u << path;
  *c = DeliveredFrames::Copy{static_cast<int64_t>(s.first_ns / 1000), s.first_path, (s.paths & bit) == 0};
  if (c->pathNew) {
    s.paths |= bit;
    MapCall(BPF_MAP_UPDATE_ELEM, fd_, &fp, &s, BPF_EXIST);  // only the path accounting is lost if it was evicted
  }
  return true;
}

}  // namespace gb

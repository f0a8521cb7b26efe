#include "paced-send.h"

#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <cmath>

namespace gb {

namespace {

constexpr size_t kMaxBatch = 256;
constexpr int64_t kStallUs = 5'000'000;

int64_t NowUs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

void SleepUntilUs(int64_t us) {
  timespec ts{static_cast<time_t>(us / 1000000), static_cast<long>((us % 1000000) * 1000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

void PutU32(uint8_t* p, uint32_t v) {
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

void PutF64(uint8_t* p, double d) {
  uint64_t v;
  memcpy(&v, &d, sizeof v);
  for (int i = 7; i >= 0; i--, v >>= 8) p[i] = static_cast<uint8_t>(v);
}

// Frames due by `now` (frame k is due at start + k × 1e6 / rate), never more than `total`.
uint64_t DueBy(const PacedPlan& p, int64_t now) {
  if (now < p.startUs) return 0;
  double due = std::floor(static_cast<double>(now - p.startUs) * p.rateFps / 1e6) + 1;
  return std::min<uint64_t>(p.total, static_cast<uint64_t>(due));
}

double ScheduledUs(const PacedPlan& p, uint64_t k) { return static_cast<double>(p.startUs) + static_cast<double>(k) * 1e6 / p.rateFps; }

}  // namespace

void RunPaced(const PacedPlan& p, PacedResult* r) {
  // Timer slack would add up to 50 µs to every sleep; the schedule is the point here.
  unsigned long slack = static_cast<unsigned long>(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  size_t frameBytes = p.templates.front().size();
  std::vector<uint8_t> slots(kMaxBatch * frameBytes);
  iovec iov[kMaxBatch];
  mmsghdr msgs[kMaxBatch];
  r->lagUs.reserve(p.total);
  uint64_t k = 0;
  int64_t lastProgressUs = NowUs();
  while (k < p.total) {
    int64_t now = NowUs();
    uint64_t dueBy = DueBy(p, now);
    uint64_t due = dueBy > k ? std::min<uint64_t>(kMaxBatch, dueBy - k) : 0;
    if (due == 0) {
      SleepUntilUs(static_cast<int64_t>(std::ceil(ScheduledUs(p, k))));
      continue;
    }
    int64_t tx = NowUs();
    for (uint64_t i = 0; i < due; i++) {
      uint32_t seq = p.seqStart + static_cast<uint32_t>(k + i);
      uint8_t* f = slots.data() + i * frameBytes;
      memcpy(f, p.templates[seq % p.templates.size()].data(), frameBytes);
      double scheduled = ScheduledUs(p, k + i);
      PutU32(f + p.offStNum, p.slice);
      PutU32(f + p.offSqNum, seq);
      PutF64(f + p.offTxUs, static_cast<double>(tx));
      PutF64(f + p.offEventUs, scheduled);
      iov[i] = {f, frameBytes};
      memset(&msgs[i], 0, sizeof msgs[i]);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int sent = sendmmsg(p.fd, msgs, static_cast<unsigned>(due), 0);
    int err = sent < 0 ? errno : 0;
    if (err == EINTR) continue;
    uint64_t took = sent < 0 ? 0 : static_cast<uint64_t>(sent);
    for (uint64_t i = 0; i < std::min(due, took + 1); i++) {
      r->lagUs.push_back(static_cast<uint32_t>(std::max(0.0, static_cast<double>(tx) - ScheduledUs(p, k + i))));
    }
    if (took > 0) lastProgressUs = now;
    if (took < due) {
      // The kernel refused frame k + took: offered once and lost; the rest goes next turn.
      r->refused++;
      k += took + 1;
      if (now - lastProgressUs > kStallUs) {
        r->stalledErrno = err != 0 ? err : EAGAIN;
        break;
      }
    } else {
      k += took;
    }
  }
  r->offered = k;
  r->endUs = NowUs();
  prctl(PR_SET_TIMERSLACK, slack, 0, 0, 0);
}

}  // namespace gb

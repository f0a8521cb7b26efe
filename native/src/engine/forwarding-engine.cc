// The forwarding engine's lifecycle outside JavaScript: the per-group state the engine owns
// across resource sets, the switch between sets (apply() publishes, each thread takes a snapshot
// at its next wake-up), and stopping the threads.
#include "forwarding-engine.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

namespace gb {

namespace {

// GB1 sequence numbers of a group start at the wall clock in microseconds (mod 2^32) and then
// count by one, so a restarted sender is told apart from a late one (R-GOOSE numbers per key
// instead, from the state file: replay-numbering.h).
uint32_t InitialSequence() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint32_t>(static_cast<uint64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000);
}

}  // namespace

L2Endpoint::~L2Endpoint() {
  if (fd >= 0) close(fd);
}

ForwardingEngine::~ForwardingEngine() {
  StopThreads();
  if (txWake_ >= 0) close(txWake_);
  if (rxWake_ >= 0) close(rxWake_);
}

SenderTable* ForwardingEngine::TableFor(const std::string& group) {
  auto& t = tables_[group];
  if (!t) t = std::make_unique<SenderTable>();
  return t.get();
}

RgooseGroupState* ForwardingEngine::ReplayFor(const std::string& group) {
  auto& t = replays_[group];
  if (!t) t = std::make_unique<RgooseGroupState>();
  return t.get();
}

uint32_t* ForwardingEngine::SeqFor(const std::string& group) {
  auto& s = seqs_[group];
  if (!s) s = std::make_unique<uint32_t>(InitialSequence());
  return s.get();
}

void ForwardingEngine::Wake() {
  uint64_t one = 1;
  ssize_t a = write(txWake_, &one, sizeof one);
  ssize_t b = write(rxWake_, &one, sizeof one);
  (void)a, (void)b;
}

bool ForwardingEngine::Snapshot(uint64_t* seen, Plane* p) {
  uint64_t g = generation_.load(std::memory_order_acquire);
  if (g == *seen) return false;
  std::lock_guard<std::mutex> lk(mu_);
  *p = plane_;
  *seen = generation_.load(std::memory_order_relaxed);
  return true;
}

// Real-time priority for a data-plane thread: a frame's wake-up then preempts ordinary work at
// once, as the kernel's own forwarding (softirq) does. Blocking threads with bounded work per
// wake-up cannot starve the machine. Reported (not fatal) when not permitted.
void ForwardingEngine::SetPriority() {
  if (rtPriority_ <= 0) return;
  sched_param sp{};
  sp.sched_priority = rtPriority_;
  int err = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
  if (err != 0) Emit("rt-priority-failed", err);
}

void ForwardingEngine::StopThreads() {
  stopping_.store(true, std::memory_order_release);
  Wake();
  if (tx_.joinable()) tx_.join();
  if (rx_.joinable()) rx_.join();
}

}  // namespace gb

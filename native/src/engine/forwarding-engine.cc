// The forwarding engine's lifecycle outside JavaScript: the per-group state the engine owns
// across resource sets, the switch between sets (apply() publishes, each thread takes a snapshot
// at its next wake-up), and stopping the threads.
#include "forwarding-engine.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
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
  if (sharedSeqMap_ != nullptr) munmap(sharedSeqMap_, sharedSeqMapBytes_);
  if (drainedMap_ != nullptr) munmap(drainedMap_, kDrainedMapBytes);
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
  auto shared = sharedSeqs_.find(group);
  if (shared != sharedSeqs_.end()) return shared->second;
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

uint32_t* ForwardingEngine::DrainedFor(const std::string& group) {
  auto d = drained_.find(group);
  return d == drained_.end() ? nullptr : d->second;
}

namespace {

void* MapShared(Napi::Env env, int fd, size_t bytes, const char* what) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p != MAP_FAILED) return p;
  Napi::Error e = Napi::Error::New(env, std::string("shareSequences: mmap of ") + what + ": " + strerror(errno));
  e.Set("code", Napi::String::New(env, "GB_ERR_KERNEL_PATH"));
  throw e;
}

}  // namespace

// shareSequences(fd, slots, [[group, slot], ...], drainedFd?): these groups' GB1 sequence numbers
// live in the kernel tier's mmapable gb_seq map (fd, `slots` entries of a u32 each; an array map
// lays its entries out 8 bytes apart) from the next apply() on; both tiers take
// numbers with an atomic fetch-and-add, so a sender's numbers stay monotonic across CPUs and
// tiers. A slot the kernel tier has not numbered from yet starts where this engine's count is.
// drainedFd: the kernel tier's gb_drained map, where the rx thread reports the stamps of what it
// wrote (gb1-kernel.h). Called at start and at every reload (groups a reload adds); the maps
// first shared stay mapped for the engine's life (one kernel-tier object per engine). The threads
// see the words only through the WAN set's groups, set at apply().
Napi::Value ForwardingEngine::ShareSequences(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = info[0].As<Napi::Number>().Int32Value();
  const uint32_t entries = info[1].As<Napi::Number>().Uint32Value();
  constexpr size_t kStride = 8;
  const size_t bytes = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  if (entries == 0 || entries * kStride > bytes) throw Napi::RangeError::New(env, "shareSequences: slot count out of range");
  const int drainedFd = info.Length() > 3 && info[3].IsNumber() ? info[3].As<Napi::Number>().Int32Value() : -1;
  if (sharedSeqMap_ == nullptr) {
    sharedSeqMap_ = MapShared(env, fd, bytes, "the sequence map");
    sharedSeqMapBytes_ = bytes;
  }
  if (drainedFd >= 0 && drainedMap_ == nullptr) drainedMap_ = MapShared(env, drainedFd, kDrainedMapBytes, "the drained map");
  Napi::Array slots = info[2].As<Napi::Array>();
  for (uint32_t i = 0; i < slots.Length(); i++) {
    Napi::Array pair = slots.Get(i).As<Napi::Array>();
    const uint32_t slot = pair.Get(1u).As<Napi::Number>().Uint32Value();
    if (slot >= entries) throw Napi::RangeError::New(env, "shareSequences: slot " + std::to_string(slot) + " of " + pair.Get(0u).As<Napi::String>().Utf8Value() + " out of range");
  }
  for (uint32_t i = 0; i < slots.Length(); i++) {
    Napi::Array pair = slots.Get(i).As<Napi::Array>();
    const std::string group = pair.Get(0u).As<Napi::String>().Utf8Value();
    const uint32_t slot = pair.Get(1u).As<Napi::Number>().Uint32Value();
    uint32_t* w = reinterpret_cast<uint32_t*>(static_cast<uint8_t*>(sharedSeqMap_) + slot * kStride);
    auto own = seqs_.find(group);
    uint32_t zero = 0;
    __atomic_compare_exchange_n(w, &zero, own != seqs_.end() ? __atomic_load_n(own->second.get(), __ATOMIC_RELAXED) : InitialSequence(), false,
                                __ATOMIC_RELAXED, __ATOMIC_RELAXED);
    sharedSeqs_[group] = w;
    if (drainedMap_ != nullptr && slot < GB_KP_SEQ_SLOTS)
      drained_[group] = reinterpret_cast<uint32_t*>(static_cast<uint8_t*>(drainedMap_) + size_t{slot} * GB_KP_DRAIN_CPUS * kStride);
  }
  return env.Undefined();
}

// shareGuards(deliveredFd, recentReadFd): the copy discard of GB1 frames in the kernel tier's
// gb_delivered map, and its loop guard (gb_recent_read) kept and checked beside the engine's own,
// from the next frame on, so a guard decides the same whichever tier read or received a frame; -1,
// -1: the engine's own tables alone. Any time, also while running.
Napi::Value ForwardingEngine::ShareGuards(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int delivered = info[0].As<Napi::Number>().Int32Value(), recent = info[1].As<Napi::Number>().Int32Value();
  const char* failed = !sharedDelivered_.Use(delivered) ? "gb_delivered" : !sharedRecent_.Use(recent) ? "gb_recent_read" : nullptr;
  if (failed != nullptr) {
    Napi::Error e = Napi::Error::New(env, std::string("shareGuards: the kernel tier's ") + failed + ": " + strerror(errno));
    e.Set("code", Napi::String::New(env, "GB_ERR_KERNEL_PATH"));
    throw e;
  }
  return env.Undefined();
}

}  // namespace gb

// Gate calibration (a test knob, never for production): a known extra cost per frame read from
// the TAP, so the regression gate's power can be measured against a data plane that is slower by
// a known amount (scripts/bench/gate-power.ts, docs/suites.md "Gate power"). Read from the
// environment when the engine starts (and by the kernel tier's configure, native/src/kernel/, for
// its to_wan program: the same busy-wait in the kernel); off unless GB_TEST_KNOBS=1 allows test knobs (not
// GOOSE_BRIDGE_*: that prefix is the configuration's, which refuses names it does not know):
//   GB_CALIBRATION_SPIN_NS=N       busy-wait N ns on every frame (latency +N ns per frame;
//                                  capacity 1/(t+N) for a per-frame cost t)
//   GB_CALIBRATION_STALL=PERIOD_US:NS  once every PERIOD_US µs, busy-wait NS ns more on the frame
//                                  at hand (a stall, like a pause: the frames queued behind it
//                                  wait too; the tail grows, capacity drops by NS / PERIOD)
#pragma once

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace gb {

class Calibration {
 public:
  static constexpr const char* kAllow = "GB_TEST_KNOBS";
  static constexpr const char* kSpin = "GB_CALIBRATION_SPIN_NS";
  static constexpr const char* kStall = "GB_CALIBRATION_STALL";

  /** Why the knobs may not start (set without the allowing variable, or malformed); empty: fine. */
  static std::string Refusal() {
    const char* spin = std::getenv(kSpin);
    const char* tail = std::getenv(kStall);
    if (spin == nullptr && tail == nullptr) return "";
    const char* allow = std::getenv(kAllow);
    if (allow == nullptr || std::strcmp(allow, "1") != 0) {
      return std::string("GB_ERR_TEST_KNOB: ") + (spin ? kSpin : kStall) + " is a test knob that slows the data plane; refused unless " + kAllow + "=1";
    }
    Calibration c;
    if (!c.Parse(spin, tail)) return std::string("GB_ERR_TEST_KNOB: ") + kSpin + " must be an integer 0..10000000 and " + kStall + " PERIOD_US:NS with PERIOD_US ≥ 1";
    return "";
  }

  /** The knobs from the environment (all zero when not allowed or not set). */
  static Calibration FromEnv() {
    Calibration c;
    if (Refusal().empty() && std::getenv(kAllow) != nullptr) c.Parse(std::getenv(kSpin), std::getenv(kStall));
    return c;
  }

  uint64_t spinNs() const { return spinNs_; }
  uint64_t stallPeriodNs() const { return stallPeriodNs_; }
  uint64_t stallNs() const { return stallNs_; }

  /** Called once per frame read: spins for the configured time, nothing when off. */
  void Frame() {
    if (spinNs_ == 0 && stallPeriodNs_ == 0) return;
    const uint64_t now = Now();
    uint64_t ns = spinNs_;
    if (stallPeriodNs_ != 0 && now >= nextStall_) {
      ns += stallNs_;
      nextStall_ = now + stallPeriodNs_;
    }
    while (Now() < now + ns) {
    }
  }

 private:
  static uint64_t Now() {
    timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<uint64_t>(t.tv_sec) * 1000000000u + static_cast<uint64_t>(t.tv_nsec);
  }
  static bool Number(const char* s, uint64_t max, uint64_t* out) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(s, &end, 10);
    if (end == s || (*end != '\0' && *end != ':') || v > max) return false;
    *out = v;
    return true;
  }
  bool Parse(const char* spin, const char* tail) {
    if (spin != nullptr && (!Number(spin, 10000000, &spinNs_) || std::strchr(spin, ':') != nullptr)) return false;
    if (tail == nullptr) return true;
    const char* colon = std::strchr(tail, ':');
    uint64_t periodUs = 0;
    if (colon == nullptr || !Number(tail, 60000000, &periodUs) || periodUs < 1 || !Number(colon + 1, 10000000, &stallNs_)) return false;
    stallPeriodNs_ = periodUs * 1000;
    return true;
  }

  uint64_t spinNs_ = 0;
  uint64_t stallPeriodNs_ = 0;
  uint64_t stallNs_ = 0;
  uint64_t nextStall_ = 0;
};

}  // namespace gb

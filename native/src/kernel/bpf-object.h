// The kernel tier's object (native/bpf/gb1-tc.bpf.c) loaded with libbpf: its programs and maps,
// configuration, test runs (BPF_PROG_TEST_RUN) and per-CPU counters. No Node-API here; the glue
// is bpf-napi.cc. Attaching the programs to interfaces is tc-attach's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" {
#include "../../bpf/gb1-kernel.h"
}

struct bpf_object;

namespace gb {

class BpfObject {
 public:
  // Opens and loads the object (the verifier runs here). On failure returns null with *err naming
  // the step, the errno and the verifier's last words.
  static BpfObject* Load(const std::string& path, std::string* err);
  ~BpfObject();
  BpfObject(const BpfObject&) = delete;
  BpfObject& operator=(const BpfObject&) = delete;

  int ProgramFd(const std::string& name) const;  // -1 when there is none
  int MapFd(const std::string& name) const;
  // Pins a program or map (by name) at a bpffs path; 0 or -errno.
  int Pin(const std::string& name, const std::string& path) const;
  // Writes the allow-list (null: every APPID), then the config into the slot the programs do not
  // read, then flips them over to it: a packet sees the old or the new config, never a mix.
  // Returns 0 or -errno.
  int Configure(const gb_kp_config& cfg, const gb_kp_allow* allow);
  int SetClock(uint64_t ns);
  // Test hook: user space wrote what `cpu` passed up for group slot `slot` up to `stamp`, as the
  // engine reports it in gb_drained (gb1-kernel.h, GB_KP_STAMP_*).
  int SetDrained(uint32_t slot, uint32_t cpu, uint32_t stamp);
  struct RunResult {
    int err = 0;  // -errno of the test run itself
    uint32_t retval = 0;
    uint32_t durationNs = 0;  // the program's run time, as the kernel measured it
    uint32_t mark = 0;        // skb->mark as the program left it
    std::vector<uint8_t> out;
  };
  // `gsoSegs` > 1: the packet is a run of that many datagrams (skb_shinfo's gso_segs).
  RunResult TestRun(const std::string& prog, const uint8_t* data, size_t len, int ifindex, uint32_t gsoSegs = 0) const;
  // The counter slots (engine-tables.h's layout), each summed over the possible CPUs.
  int CounterSlots(std::vector<uint64_t>* out) const;
  // Per-APPID counters (gb_appids): APPID → its row (engine-tables.h's GB_APPID_COUNTERS),
  // summed over the possible CPUs.
  struct AppidRow {
    uint16_t appid;
    std::vector<uint64_t> slots;
  };
  int AppidRows(std::vector<AppidRow>* out) const;
  // Entries in the sender table (gb_senders) now.
  size_t SenderEntries() const;
  // Forgets senders, delivered frames, loop fingerprints, sequence numbers and counters (tests only).
  int ResetState();
  size_t CounterSlotCount() const { return slotCount_; }

 private:
  explicit BpfObject(bpf_object* o) : obj_(o) {}
  bpf_object* obj_;
  size_t slotCount_ = 0;
  uint32_t active_ = 0;
};

}  // namespace gb

#include "bpf-object.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>

#include <mutex>

namespace gb {

namespace {

// libbpf's messages of the load in progress (the verifier log among them), for the error.
std::mutex logMu;
std::string* logSink = nullptr;

int CollectLog(enum libbpf_print_level level, const char* fmt, va_list ap) {
  if (level == LIBBPF_DEBUG || logSink == nullptr) return 0;
  char line[1024];
  int n = vsnprintf(line, sizeof line, fmt, ap);
  logSink->append(line);
  return n;
}

// The last lines of a log: where the verifier stopped.
std::string Tail(const std::string& log, size_t lines) {
  size_t at = log.size();
  while (lines-- > 0 && at > 0) {
    at = log.rfind('\n', at - 2);
    if (at == std::string::npos) return log;
  }
  return log.substr(at + 1);
}

int DeleteAll(int fd, size_t keySize) {
  std::vector<uint8_t> next(keySize);
  // Always restart from the first key: deleting the current one would end the walk.
  while (bpf_map_get_next_key(fd, nullptr, next.data()) == 0)
    if (bpf_map_delete_elem(fd, next.data()) != 0) return -errno;
  return 0;
}

// An array map's `n` entries of `valueSize` bytes, all zero, in one call.
int ZeroAll(int fd, uint32_t n, size_t valueSize) {
  std::vector<uint32_t> keys(n);
  for (uint32_t i = 0; i < n; i++) keys[i] = i;
  std::vector<uint8_t> zeros(n * valueSize, 0);
  uint32_t count = n;
  return bpf_map_update_batch(fd, keys.data(), zeros.data(), &count, nullptr) == 0 ? 0 : -errno;
}

}  // namespace

BpfObject* BpfObject::Load(const std::string& path, std::string* err) {
  std::lock_guard<std::mutex> lk(logMu);
  std::string log;
  logSink = &log;
  libbpf_print_fn_t old = libbpf_set_print(CollectLog);
  bpf_object* o = bpf_object__open_file(path.c_str(), nullptr);
  int e = libbpf_get_error(o);
  if (e != 0) {
    *err = "open " + path + ": " + strerror(-e);
    o = nullptr;
  } else if ((e = bpf_object__load(o)) != 0) {
    *err = "load " + path + ": " + strerror(-e) + (e == -EPERM ? " (bpf() needs root or CAP_BPF + CAP_NET_ADMIN)" : "") + "\n" +
           Tail(log, 6);
    bpf_object__close(o);
    o = nullptr;
  }
  libbpf_set_print(old);
  logSink = nullptr;
  if (o == nullptr) return nullptr;
  auto* b = new BpfObject(o);
  bpf_map* counters = bpf_object__find_map_by_name(o, "gb_counters");
  b->slotCount_ = counters != nullptr ? bpf_map__value_size(counters) / sizeof(uint64_t) : 0;
  return b;
}

BpfObject::~BpfObject() { bpf_object__close(obj_); }

int BpfObject::ProgramFd(const std::string& name) const {
  bpf_program* p = bpf_object__find_program_by_name(obj_, name.c_str());
  return p != nullptr ? bpf_program__fd(p) : -1;
}

int BpfObject::MapFd(const std::string& name) const {
  bpf_map* m = bpf_object__find_map_by_name(obj_, name.c_str());
  return m != nullptr ? bpf_map__fd(m) : -1;
}

int BpfObject::Pin(const std::string& name, const std::string& path) const {
  int fd = ProgramFd(name);
  if (fd < 0) fd = MapFd(name);
  if (fd < 0) return -ENOENT;
  return bpf_obj_pin(fd, path.c_str()) == 0 ? 0 : -errno;
}

int BpfObject::Configure(const gb_kp_config& cfg, const gb_kp_allow* allow) {
  const uint32_t zero = 0, next = active_ ^ 1;
  if (allow != nullptr && bpf_map_update_elem(MapFd("gb_allow"), &zero, allow, BPF_ANY) != 0) return -errno;
  if (bpf_map_update_elem(MapFd("gb_config"), &next, &cfg, BPF_ANY) != 0) return -errno;
  if (bpf_map_update_elem(MapFd("gb_active"), &zero, &next, BPF_ANY) != 0) return -errno;
  active_ = next;
  return 0;
}

int BpfObject::SetClock(uint64_t ns) {
  const uint32_t zero = 0;
  return bpf_map_update_elem(MapFd("gb_clock"), &zero, &ns, BPF_ANY) == 0 ? 0 : -errno;
}

int BpfObject::SetDrained(uint32_t slot, uint32_t cpu, uint32_t stamp) {
  if (slot >= GB_KP_SEQ_SLOTS || cpu >= GB_KP_DRAIN_CPUS) return -ERANGE;
  const uint32_t i = slot * GB_KP_DRAIN_CPUS + cpu;
  return bpf_map_update_elem(MapFd("gb_drained"), &i, &stamp, BPF_ANY) == 0 ? 0 : -errno;
}

BpfObject::RunResult BpfObject::TestRun(const std::string& prog, const uint8_t* data, size_t len, int ifindex, uint32_t gsoSegs) const {
  RunResult r;
  int fd = ProgramFd(prog);
  if (fd < 0) {
    r.err = -ENOENT;
    return r;
  }
  // Room for the outer headers the program may put in front.
  r.out.resize(len + 256);
  __sk_buff ctx = {}, after = {};
  ctx.ifindex = static_cast<uint32_t>(ifindex);
  ctx.gso_segs = gsoSegs;
  LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = data, .data_out = r.out.data(), .data_size_in = static_cast<uint32_t>(len),
              .data_size_out = static_cast<uint32_t>(r.out.size()), .ctx_in = &ctx, .ctx_out = &after,
              .ctx_size_in = sizeof ctx, .ctx_size_out = sizeof after, .repeat = 1);
  if (bpf_prog_test_run_opts(fd, &o) != 0) {
    r.err = -errno;
    r.out.clear();
    return r;
  }
  r.retval = o.retval;
  r.durationNs = o.duration;
  r.mark = after.mark;
  r.out.resize(o.data_size_out);
  return r;
}

int BpfObject::CounterSlots(std::vector<uint64_t>* out) const {
  int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return cpus;
  std::vector<uint64_t> v(static_cast<size_t>(cpus) * slotCount_);
  const uint32_t zero = 0;
  if (bpf_map_lookup_elem(MapFd("gb_counters"), &zero, v.data()) != 0) return -errno;
  out->assign(slotCount_, 0);
  for (int c = 0; c < cpus; c++)
    for (size_t s = 0; s < slotCount_; s++) (*out)[s] += v[static_cast<size_t>(c) * slotCount_ + s];
  return 0;
}

int BpfObject::AppidRows(std::vector<AppidRow>* out) const {
  int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return cpus;
  bpf_map* m = bpf_object__find_map_by_name(obj_, "gb_appids");
  if (m == nullptr) return -ENOENT;
  const int fd = bpf_map__fd(m);
  const size_t width = bpf_map__value_size(m) / sizeof(uint64_t);
  std::vector<uint64_t> v(static_cast<size_t>(cpus) * width);
  out->clear();
  uint32_t key = 0, next = 0;
  // APPIDs stay until a reset: the walk does not restart, and ends within the map's size.
  for (const uint32_t* prev = nullptr; out->size() < GB_KP_APPIDS && bpf_map_get_next_key(fd, prev, &next) == 0; prev = &key) {
    key = next;
    if (bpf_map_lookup_elem(fd, &key, v.data()) != 0) continue;  // not there any more (a reset)
    AppidRow r{static_cast<uint16_t>(key), std::vector<uint64_t>(width, 0)};
    for (int c = 0; c < cpus; c++)
      for (size_t s = 0; s < width; s++) r.slots[s] += v[static_cast<size_t>(c) * width + s];
    out->push_back(std::move(r));
  }
  return 0;
}

size_t BpfObject::SenderEntries() const {
  const int fd = MapFd("gb_senders");
  gb_kp_sender_key key = {}, next = {};
  size_t n = 0;
  // At most the map's size: an entry evicted under the walk restarts it from the first key.
  for (const gb_kp_sender_key* prev = nullptr; n < GB_KP_SENDERS && bpf_map_get_next_key(fd, prev, &next) == 0; prev = &key) {
    key = next;
    n++;
  }
  return n;
}

int BpfObject::ResetState() {
  int e;
  if ((e = DeleteAll(MapFd("gb_senders"), sizeof(gb_kp_sender_key))) != 0) return e;
  if ((e = DeleteAll(MapFd("gb_delivered"), sizeof(uint64_t))) != 0) return e;
  if ((e = ZeroAll(MapFd("gb_recent_read"), GB_KP_RECENT, sizeof(gb_kp_recent))) != 0) return e;
  if ((e = DeleteAll(MapFd("gb_appids"), sizeof(uint32_t))) != 0) return e;
  if ((e = DeleteAll(MapFd("gb_slow"), sizeof(gb_kp_sender_key))) != 0) return e;
  const uint32_t zero = 0, none = 0;
  for (uint32_t slot = 0; slot < GB_KP_SEQ_SLOTS; slot++)
    if (bpf_map_update_elem(MapFd("gb_seq"), &slot, &none, BPF_ANY) != 0) return -errno;
  // gb_drained is mmapable: cleared in one stroke rather than 16,384 updates.
  const size_t drainedBytes = size_t{GB_KP_SEQ_SLOTS} * GB_KP_DRAIN_CPUS * 8;
  void* drained = mmap(nullptr, drainedBytes, PROT_READ | PROT_WRITE, MAP_SHARED, MapFd("gb_drained"), 0);
  if (drained == MAP_FAILED) return -errno;
  memset(drained, 0, drainedBytes);
  munmap(drained, drainedBytes);
  int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return cpus;
  std::vector<uint32_t> perCpu(static_cast<size_t>(cpus) * 2, 0);  // a u32 per CPU, 8 bytes apart
  for (uint32_t slot = 0; slot < GB_KP_SEQ_SLOTS; slot++)
    if (bpf_map_update_elem(MapFd("gb_passed"), &slot, perCpu.data(), BPF_ANY) != 0) return -errno;
  std::vector<uint64_t> zeros(static_cast<size_t>(cpus) * slotCount_, 0);
  return bpf_map_update_elem(MapFd("gb_counters"), &zero, zeros.data(), BPF_ANY) == 0 ? 0 : -errno;
}

}  // namespace gb

// Attaches the kernel tier's tc programs to interfaces (clsact ingress/egress) and detaches them,
// through libbpf's netlink helpers. Every filter of goose-bridge carries the same handle and
// priority, so a start replaces what a crashed daemon left (BPF_TC_F_REPLACE) and a stop removes
// exactly its own filter, never another tool's. The clsact qdisc stays: other filters may use it.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <napi.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <string>

namespace {

// "GB" and 0xB1 ("B-one"): the identity of goose-bridge's filters on every hook.
constexpr __u32 kHandle = 0x4742;
constexpr __u32 kPriority = 0xb1;

Napi::Error TcError(Napi::Env env, const std::string& what, int err) {
  Napi::Error e = Napi::Error::New(env, what + ": " + strerror(err));
  e.Set("code", Napi::String::New(env, err == EPERM || err == EACCES ? "GB_ERR_PERMISSION" : "GB_ERR_KERNEL_PATH"));
  e.Set("errno", Napi::Number::New(env, err));
  return e;
}

struct Hook {
  int ifindex = 0;
  bpf_tc_attach_point point = BPF_TC_INGRESS;
  std::string where;  // "ingress" | "egress", for messages
};

Hook HookArgs(const Napi::CallbackInfo& info, const char* usage) {
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsString()) throw Napi::TypeError::New(info.Env(), usage);
  Hook h;
  h.ifindex = info[0].As<Napi::Number>().Int32Value();
  h.where = info[1].As<Napi::String>();
  if (h.where != "ingress" && h.where != "egress") throw Napi::TypeError::New(info.Env(), std::string(usage) + ": where is ingress or egress");
  h.point = h.where == "ingress" ? BPF_TC_INGRESS : BPF_TC_EGRESS;
  return h;
}

std::string Describe(const Hook& h, const char* step) {
  return std::string(step) + " on ifindex " + std::to_string(h.ifindex) + " " + h.where;
}

// tcAttach(ifindex, 'ingress' | 'egress', progFd) -> program id now attached
Napi::Value TcAttach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Hook h = HookArgs(info, "tcAttach(ifindex, where, progFd)");
  if (info.Length() < 3 || !info[2].IsNumber()) throw Napi::TypeError::New(env, "tcAttach(ifindex, where, progFd)");
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = h.ifindex, .attach_point = h.point);
  int rc = bpf_tc_hook_create(&hook);  // the clsact qdisc; EEXIST: already there (ours or another's)
  if (rc < 0 && rc != -EEXIST) throw TcError(env, Describe(h, "creating the clsact qdisc"), -rc);
  LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = info[2].As<Napi::Number>().Int32Value(), .flags = BPF_TC_F_REPLACE,
              .handle = kHandle, .priority = kPriority);
  rc = bpf_tc_attach(&hook, &opts);
  if (rc < 0) throw TcError(env, Describe(h, "attaching the tc program"), -rc);
  return Napi::Number::New(env, opts.prog_id);
}

// Runs a libbpf call on goose-bridge's filter of one hook. The filter or the interface being gone
// already (a lost TAP, or no filter of ours there) is not an error: returns false.
template <typename Call>
bool OnOurFilter(Napi::Env env, const Hook& h, const char* step, bpf_tc_opts* opts, Call call) {
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = h.ifindex, .attach_point = h.point);
  int rc = call(&hook, opts);
  if (rc == -ENOENT || rc == -ENODEV || rc == -EINVAL) return false;
  if (rc < 0) throw TcError(env, Describe(h, step), -rc);
  return true;
}

// tcDetach(ifindex, where) -> true when a filter of ours was there and is gone
Napi::Value TcDetach(const Napi::CallbackInfo& info) {
  Hook h = HookArgs(info, "tcDetach(ifindex, where)");
  LIBBPF_OPTS(bpf_tc_opts, opts, .handle = kHandle, .priority = kPriority);
  return Napi::Boolean::New(info.Env(), OnOurFilter(info.Env(), h, "detaching the tc program", &opts, bpf_tc_detach));
}

// tcQuery(ifindex, where) -> id of the program in our filter, 0 when there is none
Napi::Value TcQuery(const Napi::CallbackInfo& info) {
  Hook h = HookArgs(info, "tcQuery(ifindex, where)");
  LIBBPF_OPTS(bpf_tc_opts, opts, .handle = kHandle, .priority = kPriority);
  bool there = OnOurFilter(info.Env(), h, "querying the tc filter", &opts, bpf_tc_query);
  return Napi::Number::New(info.Env(), there ? opts.prog_id : 0);
}

// Tests: loadPassProgram(retval) -> fd of a two-instruction sched_cls program returning `retval`,
// so attach, replace and detach are checked without the kernel tier's object; closeFd(fd).
Napi::Value LoadPassProgram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t retval = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 0;
  const bpf_insn insns[] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, retval},  // r0 = retval
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},                         // return r0
  };
  int fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "gb_test_pass", "GPL", insns, 2, nullptr);
  if (fd < 0) throw TcError(env, "loading the test program", -fd);
  return Napi::Number::New(env, fd);
}

Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  close(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

// The netlink replies libbpf prints ("Exclusivity flag on" for a clsact qdisc already there,
// "Cannot find specified filter chain" for nothing to detach) are expected answers here, and
// the errors thrown name what failed; every other libbpf message still reaches stderr.
int QuietNetlinkReplies(libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG || strncmp(fmt, "libbpf: Kernel error message:", 29) == 0) return 0;
  return vfprintf(stderr, fmt, args);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  libbpf_set_print(QuietNetlinkReplies);
  exports.Set("tcAttach", Napi::Function::New(env, TcAttach, "tcAttach"));
  exports.Set("tcDetach", Napi::Function::New(env, TcDetach, "tcDetach"));
  exports.Set("tcQuery", Napi::Function::New(env, TcQuery, "tcQuery"));
  exports.Set("loadPassProgram", Napi::Function::New(env, LoadPassProgram, "loadPassProgram"));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd, "closeFd"));
  exports.Set("tcHandle", Napi::Number::New(env, kHandle));
  exports.Set("tcPriority", Napi::Number::New(env, kPriority));
  return exports;
}

}  // namespace

NODE_API_MODULE(goose_tc, Init)

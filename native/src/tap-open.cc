#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frame-endpoint.h"
#include "openers.h"

namespace gb {

// Sets the queue length (frames the kernel holds for our reader) and IFF_UP with ioctls
// (no `ip` process to spawn). Returns 0 or errno.
static int Configure(const char* ifname, int txQueueLen, bool up, const char** what) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return errno;
  ifreq ifr{};
  strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  int err = 0;
  if (txQueueLen > 0) {
    ifr.ifr_qlen = txQueueLen;
    *what = "SIOCSIFTXQLEN";
    if (ioctl(s, SIOCSIFTXQLEN, &ifr) < 0) {
      err = errno;
      close(s);
      return err;
    }
  }
  *what = "SIOCSIFFLAGS";
  if (up) {
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
      err = errno;
    } else if (!(ifr.ifr_flags & IFF_UP)) {
      ifr.ifr_flags |= IFF_UP;
      if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) err = errno;
    }
  }
  close(s);
  return err;
}

static bool Fail(OpenFailure* f, const char* code, std::string message, int err) {
  f->code = code;
  f->message = std::move(message);
  f->err = err;
  return false;
}

static bool Attach(const std::string& name, int* fdOut, std::string* actual, OpenFailure* f) {
  bool existed = if_nametoindex(name.c_str()) != 0;
  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    return Fail(f, err == EACCES || err == EPERM ? "GB_ERR_PERMISSION" : "GB_ERR_TAP_OPEN",
                "opening /dev/net/tun for TAP '" + name + "'", err);
  }
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;
    close(fd);
    // EINVAL: the name belongs to a non-TAP device (veth, bridge, a TUN); EBUSY: another
    // process holds the TAP; EPERM: a persistent TAP owned by another user, no CAP_NET_ADMIN.
    if (existed && (err == EINVAL || err == EBUSY)) {
      return Fail(f, "GB_ERR_TAP_EXISTS",
                  "interface '" + name + "' exists and is not a TAP this process can own (" +
                      (err == EBUSY ? "another process holds it" : "it is not a TAP device") + ")",
                  0);
    }
    if (err == EPERM || err == EACCES) return Fail(f, "GB_ERR_PERMISSION", "creating TAP '" + name + "' needs CAP_NET_ADMIN (TUNSETIFF)", err);
    return Fail(f, "GB_ERR_TAP_OPEN", "creating TAP '" + name + "' (TUNSETIFF)", err);
  }
  *fdOut = fd;
  *actual = ifr.ifr_name;
  return true;
}

bool OpenTapFd(const std::string& name, bool up, int txQueueLen, bool persist, TapOpened* out, OpenFailure* f) {
  if (name.empty() || name.size() >= IFNAMSIZ) return Fail(f, "GB_ERR_TAP_OPEN", "TAP name '" + name + "' must be 1 to 15 characters", 0);
  out->existed = if_nametoindex(name.c_str()) != 0;
  int fd = -1;
  if (!Attach(name, &fd, &out->ifname, f)) return false;
  if (persist) {
    // Owned by this user, so the same daemon (or its service user) reattaches after a restart.
    if (ioctl(fd, TUNSETOWNER, geteuid()) < 0 || ioctl(fd, TUNSETPERSIST, 1) < 0) {
      int err = errno;
      close(fd);
      return Fail(f, "GB_ERR_TAP_OPEN", "making TAP '" + out->ifname + "' persistent (TUNSETPERSIST)", err);
    }
  }
  const char* what = "";
  int err = Configure(out->ifname.c_str(), txQueueLen, up, &what);
  if (err != 0) {
    close(fd);
    return Fail(f, err == EPERM || err == EACCES ? "GB_ERR_PERMISSION" : "GB_ERR_TAP_OPEN",
                "configuring TAP '" + out->ifname + "' (" + what + ")", err);
  }
  out->fd = fd;
  out->ifindex = static_cast<int>(if_nametoindex(out->ifname.c_str()));
  return true;
}

bool RemoveTap(const std::string& name, OpenFailure* f) {
  if (if_nametoindex(name.c_str()) == 0) return true;
  int fd = -1;
  std::string actual;
  if (!Attach(name, &fd, &actual, f)) return false;
  int rc = ioctl(fd, TUNSETPERSIST, 0);
  int err = errno;
  close(fd);
  if (rc < 0) return Fail(f, "GB_ERR_TAP_OPEN", "clearing the persist flag of TAP '" + name + "'", err);
  return true;
}

Napi::Error ToJsError(Napi::Env env, const OpenFailure& f) { return CodedError(env, f.code, f.message, f.err); }

// openTap(name: string, up: boolean, txQueueLen: number /* 0 = leave */) -> FrameEndpoint
Napi::Value OpenTap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsBoolean() || !info[2].IsNumber()) throw Napi::TypeError::New(env, "openTap(name, up, txQueueLen)");
  TapOpened t;
  OpenFailure f;
  if (!OpenTapFd(info[0].As<Napi::String>(), info[1].As<Napi::Boolean>(), info[2].As<Napi::Number>().Int32Value(), false, &t, &f)) {
    throw ToJsError(env, f);
  }
  EndpointSetup setup;
  setup.kind = EndpointKind::kTap;
  setup.fd = t.fd;
  setup.ifname = t.ifname;
  setup.ifindex = t.ifindex;
  Napi::Object o = FrameEndpoint::NewInstance(env, std::move(setup));
  o.Set("existed", Napi::Boolean::New(env, t.existed));
  o.Set("ifname", Napi::String::New(env, t.ifname));
  return o;
}

// removeTap(name: string): clears the persist flag; the kernel removes the TAP once no fd holds it.
Napi::Value RemoveTapJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "removeTap(name)");
  OpenFailure f;
  if (!RemoveTap(info[0].As<Napi::String>(), &f)) throw ToJsError(env, f);
  return env.Undefined();
}

}  // namespace gb

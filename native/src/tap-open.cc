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
  if (!up) {
    close(s);
    return 0;
  }
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
    err = errno;
  } else if (!(ifr.ifr_flags & IFF_UP)) {
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) err = errno;
  }
  close(s);
  return err;
}

// openTap(name: string, up: boolean, txQueueLen: number /* 0 = leave */) -> FrameEndpoint
Napi::Value OpenTap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsBoolean() || !info[2].IsNumber()) throw Napi::TypeError::New(env, "openTap(name, up, txQueueLen)");
  std::string name = info[0].As<Napi::String>();
  bool up = info[1].As<Napi::Boolean>();
  int txQueueLen = info[2].As<Napi::Number>().Int32Value();
  if (name.empty() || name.size() >= IFNAMSIZ) {
    throw CodedError(env, "GB_ERR_TAP_OPEN", "TAP name '" + name + "' must be 1 to 15 characters");
  }
  bool existed = if_nametoindex(name.c_str()) != 0;

  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    throw CodedError(env, err == EACCES || err == EPERM ? "GB_ERR_PERMISSION" : "GB_ERR_TAP_OPEN",
                     "opening /dev/net/tun for TAP '" + name + "'", err);
  }
  ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
    int err = errno;
    close(fd);
    // The kernel answers EINVAL when the name belongs to a non-TAP device (veth, bridge, a
    // TUN), EBUSY when another process holds the TAP, EPERM when a persistent TAP is owned
    // by another user and we lack CAP_NET_ADMIN.
    if (existed && (err == EINVAL || err == EBUSY)) {
      throw CodedError(env, "GB_ERR_TAP_EXISTS",
                       "interface '" + name + "' exists and is not a TAP this process can own (" +
                           (err == EBUSY ? "another process holds it" : "it is not a TAP device") + ")");
    }
    if (err == EPERM || err == EACCES) {
      throw CodedError(env, "GB_ERR_PERMISSION", "creating TAP '" + name + "' needs CAP_NET_ADMIN (TUNSETIFF)", err);
    }
    throw CodedError(env, "GB_ERR_TAP_OPEN", "creating TAP '" + name + "' (TUNSETIFF)", err);
  }
  std::string actual(ifr.ifr_name);
  const char* what = "";
  int err = Configure(actual.c_str(), txQueueLen, up, &what);
  if (err != 0) {
    close(fd);
    throw CodedError(env, err == EPERM || err == EACCES ? "GB_ERR_PERMISSION" : "GB_ERR_TAP_OPEN",
                     "configuring TAP '" + actual + "' (" + what + ")", err);
  }
  EndpointSetup setup;
  setup.kind = EndpointKind::kTap;
  setup.fd = fd;
  setup.ifname = actual;
  setup.ifindex = static_cast<int>(if_nametoindex(actual.c_str()));
  Napi::Object o = FrameEndpoint::NewInstance(env, std::move(setup));
  o.Set("existed", Napi::Boolean::New(env, existed));
  // The kernel's name: differs from the request when it held a pattern such as "gb%d".
  o.Set("ifname", Napi::String::New(env, actual));
  return o;
}

}  // namespace gb

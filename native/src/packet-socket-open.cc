#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "frame-endpoint.h"
#include "openers.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

namespace gb {

// A classic BPF program accepting frames whose EtherType — outer, or behind one VLAN tag —
// is in `types`, so unwanted traffic is dropped in the kernel, before any copy or wake-up.
// Software devices strip the outer tag before packet sockets see the frame; it is then in
// the SKF_AD_VLAN_* ancillary fields and offset 12 holds the inner EtherType.
static std::vector<sock_filter> EtherTypeFilter(const std::vector<uint16_t>& types) {
  enum Target { kNone, kAccept, kInner, kTagged };
  struct Ins {
    sock_filter f;
    Target jt;
    Target jf;
  };
  std::vector<Ins> prog;
  auto stmt = [&](uint16_t code, uint32_t k) { prog.push_back({BPF_STMT(code, k), kNone, kNone}); };
  auto jeq = [&](uint32_t k, Target t) { prog.push_back({BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, 0, 0), t, kNone}); };
  auto anyOf = [&]() {
    for (uint16_t t : types) jeq(t, kAccept);
  };
  size_t tagged = 0, inner = 0, accept = 0;
  stmt(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT);
  prog.push_back({BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 0), kTagged, kNone});
  stmt(BPF_LD | BPF_H | BPF_ABS, 12);
  anyOf();
  jeq(0x8100, kInner);
  jeq(0x88a8, kInner);
  stmt(BPF_RET | BPF_K, 0);
  inner = prog.size();
  stmt(BPF_LD | BPF_H | BPF_ABS, 16);
  anyOf();
  stmt(BPF_RET | BPF_K, 0);
  tagged = prog.size();
  stmt(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_VLAN_TPID);
  anyOf();
  stmt(BPF_LD | BPF_H | BPF_ABS, 12);
  anyOf();
  stmt(BPF_RET | BPF_K, 0);
  accept = prog.size();
  stmt(BPF_RET | BPF_K, 0x40000);
  std::vector<sock_filter> out;
  for (size_t pc = 0; pc < prog.size(); pc++) {
    sock_filter f = prog[pc].f;
    auto rel = [&](Target t) -> uint8_t {
      size_t to = t == kAccept ? accept : t == kInner ? inner : tagged;
      return static_cast<uint8_t>(to - (pc + 1));
    };
    if (prog[pc].jt != kNone) f.jt = rel(prog[pc].jt);
    if (prog[pc].jf != kNone) f.jf = rel(prog[pc].jf);
    out.push_back(f);
  }
  return out;
}

static bool Fail(OpenFailure* f, const char* code, std::string message, int err) {
  f->code = code;
  f->message = std::move(message);
  f->err = err;
  return false;
}

bool OpenPacketFd(const std::string& ifname, const std::vector<uint16_t>& etherTypes, bool includeOutgoing,
                  int rcvbuf, bool allMulticast, bool promiscuous, PacketOpened* out, OpenFailure* f) {
  // Keeps every jump of the kernel filter within cBPF's 8-bit offsets.
  if (etherTypes.size() > 32) return Fail(f, "GB_ERR_PACKET_SOCKET", "etherTypes: at most 32 EtherTypes, got " + std::to_string(etherTypes.size()), 0);
  if (ifname.empty() || ifname.size() >= IFNAMSIZ) return Fail(f, "GB_ERR_NO_INTERFACE", "interface name '" + ifname + "' is not a valid interface name", 0);
  unsigned idx = if_nametoindex(ifname.c_str());
  if (idx == 0) return Fail(f, "GB_ERR_NO_INTERFACE", "interface '" + ifname + "' does not exist", 0);
  // Protocol 0: the socket receives nothing until bind() names the interface, so no frame
  // from another interface can slip in first.
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    int err = errno;
    return Fail(f, err == EPERM || err == EACCES ? "GB_ERR_PERMISSION" : "GB_ERR_PACKET_SOCKET",
                "opening a packet socket for '" + ifname + "' (needs CAP_NET_RAW)", err);
  }
  auto fail = [&](const std::string& what) {
    int err = errno;
    close(fd);
    return Fail(f, "GB_ERR_PACKET_SOCKET", what + " on '" + ifname + "'", err);
  };
  int one = 1;
  // The kernel strips 802.1Q tags on receive and reports them here; we put them back.
  if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) < 0) return fail("PACKET_AUXDATA");
  if (!includeOutgoing) {
    // Not fatal on old kernels: the reader also checks sll_pkttype.
    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
  }
  if (!etherTypes.empty()) {
    std::vector<sock_filter> code = EtherTypeFilter(etherTypes);
    sock_fprog prog{static_cast<unsigned short>(code.size()), code.data()};
    if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog) < 0) return fail("attaching the EtherType filter");
  }
  if (rcvbuf > 0) {
    // A large kernel buffer absorbs bursts; FORCE exceeds rmem_max as root.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0) {
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    }
  }
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = static_cast<int>(idx);
  if (bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) < 0) return fail("binding the packet socket");
  if (allMulticast || promiscuous) {
    // The NIC's multicast filter would otherwise drop GOOSE/SV destinations nobody joined.
    packet_mreq mr{};
    mr.mr_ifindex = static_cast<int>(idx);
    mr.mr_type = promiscuous ? PACKET_MR_PROMISC : PACKET_MR_ALLMULTI;
    if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) < 0) return fail(promiscuous ? "PACKET_MR_PROMISC" : "PACKET_MR_ALLMULTI");
  }
  out->fd = fd;
  out->ifindex = static_cast<int>(idx);
  return true;
}

// openPacketSocket(ifname: string, etherTypes: number[], includeOutgoing: boolean, rcvbufBytes: number)
Napi::Value OpenPacketSocket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsString() || !info[1].IsArray() || !info[2].IsBoolean() || !info[3].IsNumber()) {
    throw Napi::TypeError::New(env, "openPacketSocket(ifname, etherTypes, includeOutgoing, rcvbufBytes)");
  }
  EndpointSetup setup;
  setup.kind = EndpointKind::kPacket;
  setup.ifname = info[0].As<Napi::String>();
  setup.includeOutgoing = info[2].As<Napi::Boolean>();
  Napi::Array types = info[1].As<Napi::Array>();
  for (uint32_t i = 0; i < types.Length(); i++) setup.etherTypes.push_back(static_cast<uint16_t>(types.Get(i).As<Napi::Number>().Uint32Value()));
  PacketOpened p;
  OpenFailure f;
  if (!OpenPacketFd(setup.ifname, setup.etherTypes, setup.includeOutgoing, info[3].As<Napi::Number>().Int32Value(), false, false, &p, &f)) {
    throw ToJsError(env, f);
  }
  setup.fd = p.fd;
  setup.ifindex = p.ifindex;
  return FrameEndpoint::NewInstance(env, std::move(setup));
}

}  // namespace gb

// The least a user-space L2-over-UDP forwarder does per frame, as a reference path for the
// suites: a TAP and a multicast group, one thread per direction, blocking read() → send() and
// recv() → write(), no filter, no header, no counters, no batching. At a low rate every frame pays
// the same wake-ups, syscalls and copies in any forwarder that sleeps while idle, so beside the
// bridge it shows how much of the bridge's latency and CPU is its own work and how much is the
// machine's. At a high rate it is the unbatched baseline the bridge's batching is measured against.
//
//   minimal-relay TAP GROUP PORT UPLINK TTL
//
// Runs until killed; the TAP goes with the process.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

enum { kFrameBytes = 9216, kTxQueueFrames = 10000, kSocketBufferBytes = 4 << 20 };

static int tap, sendSock, recvSock;
static struct sockaddr_in groupAddr;

static void Die(const char* what) {
  perror(what);
  exit(1);
}

static int OpenTap(const char* name) {
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) Die("open /dev/net/tun");
  struct ifreq ifr = {0};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) Die("TUNSETIFF");
  // The same queue and state the bridge gives goose0.
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  ifr.ifr_qlen = kTxQueueFrames;
  if (ioctl(s, SIOCSIFTXQLEN, &ifr) < 0) Die("SIOCSIFTXQLEN");
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) Die("SIOCGIFFLAGS");
  ifr.ifr_flags |= IFF_UP;
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) Die("SIOCSIFFLAGS");
  close(s);
  return fd;
}

static void OpenSockets(const char* group, int port, const char* uplink, int ttl) {
  groupAddr.sin_family = AF_INET;
  groupAddr.sin_port = htons(port);
  if (inet_pton(AF_INET, group, &groupAddr.sin_addr) != 1) Die("GROUP");
  struct ip_mreqn m = {.imr_multiaddr = groupAddr.sin_addr, .imr_ifindex = (int)if_nametoindex(uplink)};
  if (m.imr_ifindex == 0) Die("UPLINK");
  int buf = kSocketBufferBytes, off = 0;
  sendSock = socket(AF_INET, SOCK_DGRAM, 0);
  setsockopt(sendSock, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof buf);
  if (setsockopt(sendSock, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m) < 0) Die("IP_MULTICAST_IF");
  setsockopt(sendSock, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
  setsockopt(sendSock, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof off);
  recvSock = socket(AF_INET, SOCK_DGRAM, 0);
  int on = 1;
  setsockopt(recvSock, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  setsockopt(recvSock, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf);
  if (bind(recvSock, (struct sockaddr*)&groupAddr, sizeof groupAddr) < 0) Die("bind");
  if (setsockopt(recvSock, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) < 0) Die("IP_ADD_MEMBERSHIP");
}

static void* TapToGroup(void* unused) {
  (void)unused;
  static unsigned char frame[kFrameBytes];
  for (;;) {
    ssize_t n = read(tap, frame, sizeof frame);
    if (n > 0) sendto(sendSock, frame, (size_t)n, 0, (struct sockaddr*)&groupAddr, sizeof groupAddr);
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: minimal-relay TAP GROUP PORT UPLINK TTL\n");
    return 2;
  }
  OpenSockets(argv[2], atoi(argv[3]), argv[4], atoi(argv[5]));
  tap = OpenTap(argv[1]);
  pthread_t t;
  if (pthread_create(&t, NULL, TapToGroup, NULL) != 0) Die("pthread_create");
  static unsigned char frame[kFrameBytes];
  for (;;) {
    ssize_t n = recv(recvSock, frame, sizeof frame, 0);
    if (n <= 0) continue;
    ssize_t ignored = write(tap, frame, (size_t)n);  // a frame the kernel refuses is lost, as on goose0
    (void)ignored;
  }
}

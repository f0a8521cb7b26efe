// How long a thread blocked in read() takes to run after another thread writes its eventfd, with
// the two on one CPU or on two (the second idle between wake-ups, as at 1,000 frames/s). Each
// user-space hop of a forwarder pays this once per frame. `npm run bench:wake` builds and runs it.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

enum { kWakes = 3000 };
static int efd;
static int waiterCpu;
static volatile uint64_t sentNs;
static uint64_t latencyNs[kWakes];

static uint64_t NowNs(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void Pin(int cpu) {
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(cpu, &s);
  pthread_setaffinity_np(pthread_self(), sizeof s, &s);
}

static void* Waiter(void* arg) {
  (void)arg;
  Pin(waiterCpu);
  for (int i = 0; i < kWakes;) {
    uint64_t n;
    if (read(efd, &n, sizeof n) != sizeof n) continue;
    uint64_t d = NowNs() - sentNs;
    for (uint64_t k = 0; k < n && i < kWakes; k++) latencyNs[i++] = d;
  }
  return NULL;
}

static int Cmp(const void* a, const void* b) {
  uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return x < y ? -1 : x > y;
}

static void Run(int wakerCpu, int cpu) {
  waiterCpu = cpu;
  efd = eventfd(0, 0);
  pthread_t t;
  pthread_create(&t, NULL, Waiter, NULL);
  Pin(wakerCpu);
  usleep(10000);
  for (int i = 0; i < kWakes; i++) {
    usleep(1000);
    uint64_t one = 1;
    sentNs = NowNs();
    if (write(efd, &one, sizeof one) != sizeof one) abort();
  }
  pthread_join(t, NULL);
  close(efd);
  qsort(latencyNs, kWakes, sizeof latencyNs[0], Cmp);
  printf("{\"waker_cpu\":%d,\"waiter_cpu\":%d,\"wakes\":%d,\"wake_p50_us\":%.1f,\"wake_p90_us\":%.1f,\"wake_p99_us\":%.1f}\n", wakerCpu, cpu,
         kWakes, latencyNs[kWakes / 2] / 1e3, latencyNs[kWakes * 9 / 10] / 1e3, latencyNs[kWakes * 99 / 100] / 1e3);
}

int main(void) {
  if (sysconf(_SC_NPROCESSORS_ONLN) < 2) {
    fprintf(stderr, "wake-latency: needs two CPUs\n");
    return 2;
  }
  Run(0, 0);
  Run(0, 1);
  return 0;
}

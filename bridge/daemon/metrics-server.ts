// Prometheus text on 127.0.0.1:PORT/metrics. Metrics are filled lazily at scrape time from the
// plain counters' snapshot, so the hot path never calls prom-client. Names in base units,
// counters end in _total.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { StatsSnapshot } from './bridge-counters.js';
import type { PathSnapshot } from './redundancy.js';

type Source = () => StatsSnapshot;

export function buildRegistry(source: Source): Registry {
  const registry = new Registry();
  let snap: StatsSnapshot | null = null;
  // One snapshot per scrape: the first metric's collect takes it, the rest reuse it.
  const get = (): StatsSnapshot => (snap ??= source());

  const counter = (name: string, help: string, value: (s: StatsSnapshot) => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(value(get()));
      },
    });
  };
  const labelled = (name: string, help: string, label: string, values: (s: StatsSnapshot) => Record<string, number>): void => {
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        this.reset();
        for (const [k, v] of Object.entries(values(get()))) this.inc({ [label]: k }, v);
      },
    });
  };

  counter('goose_bridge_tap_frames_read_total', 'Frames read from the TAP', (s) => s.to_wan.frames_read);
  counter('goose_bridge_tap_read_bytes_total', 'Bytes of frames read from the TAP', (s) => s.to_wan.bytes_read);
  counter('goose_bridge_wan_datagrams_sent_total', 'Datagrams sent to the multicast groups', (s) => s.to_wan.datagrams_sent);
  counter('goose_bridge_wan_sent_bytes_total', 'UDP payload bytes sent', (s) => s.to_wan.bytes_sent);
  counter('goose_bridge_wan_send_calls_total', 'send/sendmmsg calls that sent the datagrams (datagrams per call: the batching)', (s) => s.to_wan.send_calls);
  counter('goose_bridge_wan_segmented_datagrams_total', 'Datagrams sent inside UDP GSO runs', (s) => s.to_wan.segmented_datagrams);
  labelled('goose_bridge_to_wan_dropped_frames_total', 'TAP frames not sent, by reason', 'reason', (s) => s.to_wan.drops);
  counter('goose_bridge_wan_datagrams_received_total', 'Datagrams received from the groups', (s) => s.from_wan.datagrams_received);
  counter('goose_bridge_wan_received_bytes_total', 'UDP payload bytes received', (s) => s.from_wan.bytes_received);
  counter('goose_bridge_l2_read_calls_total', 'System calls that read frames from the L2 side (an io_uring burst is one)', (s) => s.to_wan.read_calls);
  counter('goose_bridge_l2_write_calls_total', 'System calls that wrote frames to the L2 side (an io_uring batch is one)', (s) => s.from_wan.write_calls);
  counter('goose_bridge_wan_coalesced_datagrams_total', 'Datagrams received inside UDP GRO runs', (s) => s.from_wan.coalesced_datagrams);
  counter('goose_bridge_tap_frames_written_total', 'Frames written into the TAP', (s) => s.from_wan.frames_written);
  counter('goose_bridge_tap_written_bytes_total', 'Bytes of frames written into the TAP', (s) => s.from_wan.bytes_written);
  labelled('goose_bridge_from_wan_dropped_datagrams_total', 'Datagrams not written to the TAP, by reason', 'reason', (s) => s.from_wan.drops);
  counter('goose_bridge_wan_gap_frames_total', 'Sequence numbers skipped by senders (frames lost on the WAN, before late arrivals)', (s) => s.from_wan.gap_frames);
  counter('goose_bridge_wan_gap_events_total', 'Sequence jumps (loss events)', (s) => s.from_wan.gap_events);
  counter('goose_bridge_wan_late_frames_total', 'Datagrams that arrived after a later one (counted in gap frames before)', (s) => s.from_wan.late_frames);
  counter('goose_bridge_kernel_rcvbuf_drops_total', 'Datagrams the kernel dropped because a receive buffer was full (a flood costs real frames here)', (s) => s.from_wan.kernel_rcvbuf_drops);
  counter('goose_bridge_l2_kernel_drops_total', 'Frames the kernel dropped on the L2 side before the bridge read them', (s) => s.to_wan.kernel_drops);
  new Gauge({ name: 'goose_bridge_wan_senders', help: 'Remote senders tracked', registers: [registry], collect() { this.set(get().from_wan.senders); } });
  labelled('goose_bridge_igmp_keepalives_total', 'IGMP keepalives sent, by strategy', 'strategy', (s) => ({ [s.keepalive_strategy]: s.igmp.keepalives }));
  counter('goose_bridge_igmp_keepalive_failures_total', 'Keepalives that failed', (s) => s.igmp.keepalive_failures);
  counter('goose_bridge_igmp_checks_total', 'Membership checks', (s) => s.igmp.checks);
  labelled('goose_bridge_igmp_failed_checks_total', 'Failed membership checks, by reason', 'reason', (s) => s.igmp.failed_checks);
  counter('goose_bridge_igmp_reregistrations_total', 'Re-registrations after consecutive failed checks', (s) => s.igmp.reregistrations);
  new Gauge({
    name: 'goose_bridge_igmp_membership',
    help: '1 when /proc/net/igmp lists the group on the uplink at the last check, 0 when not, absent before the first check',
    labelNames: ['group'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [g, present] of Object.entries(get().igmp.membership)) if (present !== null) this.set({ group: g }, present ? 1 : 0);
    },
  });
  const perPath = (name: string, help: string, value: (p: PathSnapshot) => number, kind: 'counter' | 'gauge' = 'counter'): void => {
    const Metric = kind === 'counter' ? Counter : Gauge;
    new Metric({
      name,
      help,
      labelNames: ['uplink'],
      registers: [registry],
      collect(this: Counter | Gauge) {
        this.reset();
        for (const p of get().redundancy?.paths ?? []) (this as Gauge).inc({ uplink: p.uplink }, value(p));
      },
    });
  };
  perPath('goose_bridge_path_datagrams_sent_total', 'Datagrams sent on each WAN path (uplink)', (p) => p.datagrams_sent);
  perPath('goose_bridge_path_datagrams_received_total', 'Datagrams received on each WAN path', (p) => p.datagrams_received);
  perPath('goose_bridge_path_frames_first_total', 'Delivered frames whose first copy came by this path', (p) => p.frames_first);
  perPath('goose_bridge_path_redundant_copies_total', 'Later copies discarded on this path (PRP duplicate discard)', (p) => p.redundant_copies);
  perPath('goose_bridge_path_missing_frames_total', 'Frames another path delivered that this path carried no copy of (loss on this path)', (p) => p.missing_frames);
  perPath('goose_bridge_path_skew_ewma_seconds', 'How much later than the first copy this path’s copies arrive (EWMA)', (p) => p.skew_ewma_us / 1e6, 'gauge');
  perPath('goose_bridge_path_silent', '1 while the path receives nothing although the other paths carry datagrams', (p) => (p.silent ? 1 : 0), 'gauge');
  new Gauge({ name: 'goose_bridge_site_peers', help: 'Gateways of this site heard from (gateway pairs)', registers: [registry], collect() { this.set(get().redundancy?.site_peers ?? 0); } });
  new Gauge({ name: 'goose_bridge_lan_writer', help: '1 while this gateway writes frames from the WAN onto its LAN (gateway pairs elect one)', registers: [registry], collect() { this.set(get().redundancy?.lan_writer === true ? 1 : 0); } });
  labelled('goose_bridge_errors_total', 'Errors, by kind', 'kind', (s) => s.errors);
  labelled('goose_bridge_recoveries_total', 'Lost resources recreated, by resource', 'resource', (s) => s.recoveries);
  new Gauge({
    name: 'goose_bridge_wan_authenticated',
    help: '1 when what arrives from the WAN is authenticated (R-GOOSE with keys), 0 when any host that reaches the group can inject (GB1, unsigned R-GOOSE)',
    labelNames: ['encapsulation'],
    registers: [registry],
    collect() {
      this.reset();
      const s = get();
      this.set({ encapsulation: s.encapsulation ?? 'gb1' }, s.wan_authenticated === true ? 1 : 0);
    },
  });
  new Gauge({ name: 'goose_bridge_uptime_seconds', help: 'Seconds since start', registers: [registry], collect() { this.set(get().uptime_s); } });

  const metrics = registry.metrics.bind(registry);
  registry.metrics = async () => {
    snap = null;
    try {
      return await metrics();
    } finally {
      snap = null;
    }
  };
  return registry;
}

/** Serves the registry on 127.0.0.1 only: metrics are not for the network at large. */
export function startMetricsServer(port: number, source: Source): Promise<Server> {
  const registry = buildRegistry(source);
  const server = createServer((req, res) => {
    if (req.url !== '/metrics' && req.url !== '/') {
      res.writeHead(404).end('not found: try /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(`${err.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

// A minimal UDP multicast sender/receiver run inside a host namespace to prove the stand-in
// forwards (tests, and the suites' readiness checks). Prints one JSON line when done.
//   send <group> <port> <ifaddr> <count> <intervalMs>
//   recv <group> <port> <ifaddr> <durationMs> [hex]   (hex: also every datagram, in arrival order)
import dgram from 'node:dgram';

const [mode, group, portS, ifaddr, a, b] = process.argv.slice(2);
const port = Number(portS);
if ((mode !== 'send' && mode !== 'recv') || !group || !ifaddr || !Number.isInteger(port)) {
  process.stderr.write('usage: mcast-probe send|recv GROUP PORT IFADDR …\n');
  process.exit(2);
}

if (mode === 'send') {
  const count = Number(a);
  const intervalMs = Number(b ?? 10);
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  sock.bind(0, ifaddr, () => {
    sock.setMulticastInterface(ifaddr);
    sock.setMulticastTTL(1);
    let i = 0;
    const tick = (): void => {
      if (i >= count) {
        sock.close();
        process.stdout.write(`${JSON.stringify({ sent: count })}\n`);
        return;
      }
      sock.send(Buffer.from(`probe ${i++}`), port, group, () => setTimeout(tick, intervalMs));
    };
    tick();
  });
} else {
  const durationMs = Number(a);
  const dump = b === 'hex';
  const seen = new Set<string>();
  const datagrams: string[] = [];
  let received = 0;
  // A plain socket: no UDP_GRO, so the kernel hands it every datagram on its own.
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true, recvBufferSize: 8 << 20 });
  sock.on('message', (msg) => {
    received++;
    seen.add(msg.toString('hex'));
    if (dump) datagrams.push(msg.toString('hex'));
  });
  sock.bind(port, group, () => {
    sock.addMembership(group, ifaddr);
    process.stderr.write('ready\n');
    setTimeout(() => {
      sock.close();
      process.stdout.write(`${JSON.stringify({ received, distinct: seen.size, ...(dump ? { datagrams } : {}) })}\n`);
    }, durationMs);
  });
}

// Ethernet frames covering the shapes the bridge must carry byte-identical: untagged and
// tagged, minimum and maximum size, priority tags (VID 0), 802.1ad, non-zero padding.
// Every source MAC starts 02:6e:61:74:00 so the probe can tell our frames from kernel chatter.

function frame(opts: { dst?: string; tags?: Array<[number, number]>; etherType: number; size: number; seed: number }): string {
  const f = Buffer.alloc(opts.size);
  Buffer.from(opts.dst ?? '010ccd010001', 'hex').copy(f, 0);
  Buffer.from(`026e617400${(opts.seed & 0xff).toString(16).padStart(2, '0')}`, 'hex').copy(f, 6);
  let o = 12;
  for (const [tpid, tci] of opts.tags ?? []) {
    f.writeUInt16BE(tpid, o);
    f.writeUInt16BE(tci, o + 2);
    o += 4;
  }
  f.writeUInt16BE(opts.etherType, o);
  // Deterministic, non-zero content to the very last byte, so lost padding or a shifted tag shows.
  let x = opts.seed * 2654435761 + 1;
  for (let i = o + 2; i < f.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    f[i] = (x >>> 16) & 0xff;
  }
  return f.toString('hex');
}

export const TEST_FRAMES: Record<string, string> = {
  'untagged GOOSE, minimum size (60 bytes), padding bytes non-zero': frame({ etherType: 0x88b8, size: 60, seed: 1 }),
  'VLAN-tagged GOOSE (VID 5, priority 4), minimum size (64 bytes)': frame({ tags: [[0x8100, 0x8005]], etherType: 0x88b8, size: 64, seed: 2 }),
  'VLAN-tagged GOOSE, maximum size (1518 bytes)': frame({ tags: [[0x8100, 0x6fff]], etherType: 0x88b8, size: 1518, seed: 3 }),
  'untagged SV, maximum size (1514 bytes)': frame({ etherType: 0x88ba, size: 1514, seed: 4 }),
  'priority-tagged (VID 0, priority 0) GOOSE': frame({ tags: [[0x8100, 0x0000]], etherType: 0x88b8, size: 90, seed: 5 }),
  '802.1ad service tag (0x88a8) GOOSE': frame({ tags: [[0x88a8, 0x0064]], etherType: 0x88b8, size: 100, seed: 6 }),
  'Q-in-Q (0x88a8 then 0x8100) GOOSE': frame({ tags: [[0x88a8, 0x0064], [0x8100, 0x2007]], etherType: 0x88b8, size: 120, seed: 7 }),
  'unicast destination, untagged GSE management (0x88b9)': frame({ dst: '0200000000aa', etherType: 0x88b9, size: 72, seed: 8 }),
  'ARP-typed frame (0x0806)': frame({ dst: 'ffffffffffff', etherType: 0x0806, size: 60, seed: 9 }),
};

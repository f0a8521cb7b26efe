// The reference model's verdict tables against the native engine's X-macro tables, read from the
// C++ header itself: the same enumerators, labels and order, and the same FORWARD.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { FORWARD, FROM_WAN_DROP_TABLE, TO_WAN_DROP_TABLE, ToWanDrop, FromWanDrop, toWanLabel } from './verdicts.js';

const HEADER = readFileSync(new URL('../../native/src/engine/engine-tables.h', import.meta.url), 'utf8');

/** The X(name, "label") rows of one `#define NAME(X)` table, in order. */
function xMacroTable(header: string, macro: string): Array<[string, string]> {
  const start = header.indexOf(`#define ${macro}(X)`);
  expect(start, `${macro} in engine-tables.h`).to.be.at.least(0);
  const lines = header.slice(start).split('\n');
  const body = lines.slice(0, lines.findIndex((l) => !l.trimEnd().endsWith('\\')) + 1).join('\n');
  return [...body.matchAll(/X\((\w+),\s*"([^"]+)"\)/g)].map((m) => [m[1]!, m[2]!]);
}

describe('reference model verdicts', () => {
  it('the to-WAN and from-WAN drop tables are the engine’s, enumerator for enumerator', () => {
    const toWan = xMacroTable(HEADER, 'GB_TO_WAN_DROPS');
    const fromWan = xMacroTable(HEADER, 'GB_FROM_WAN_DROPS');
    expect(toWan.length).to.be.greaterThan(15);
    expect(TO_WAN_DROP_TABLE).to.deep.equal(toWan);
    expect(FROM_WAN_DROP_TABLE).to.deep.equal(fromWan);
  });

  it('forward is the engine’s kForward, and a code is its enumerator’s position', () => {
    expect(HEADER).to.match(new RegExp(`constexpr int kForward = ${FORWARD};`));
    expect([ToWanDrop.kRunt, ToWanDrop.kOversize, FromWanDrop.kBadMagic, FromWanDrop.kStale]).to.deep.equal([0, 13, 0, 6]);
    expect([toWanLabel(FORWARD), toWanLabel(ToWanDrop.kAppidNotAllowed)]).to.deep.equal(['forward', 'appid-not-allowed']);
  });
});

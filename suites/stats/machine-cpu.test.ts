import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { BUSY_STATES, CpuTally, MachineCpuRecorder, backgroundWarning, machineCpuColumns, parseCpuTicks, quietCpuColumns, ticksAt } from './machine-cpu.js';
import { monotonicUs } from '../../native/index.js';

//            user nice system idle iowait irq softirq steal guest guest_nice
const STAT = 'cpu  1000 20 300 9000 50 4 60 7 500 8\ncpu0 500 10 150 4500 25 2 30 3 250 4\nintr 123\n';

describe('machine CPU from /proc/stat', () => {
  it('counts user, nice, system, irq and softirq of all CPUs; not idle, iowait, steal or guest (already in user)', () => {
    expect(BUSY_STATES).to.deep.equal(['user', 'nice', 'system', 'irq', 'softirq']);
    expect(parseCpuTicks(STAT)).to.deep.equal({ busyTicks: 1000 + 20 + 300 + 4 + 60, softirqTicks: 60 });
    expect(() => parseCpuTicks('cpu0 1 2 3\n')).to.throw(/aggregate/);
    expect(() => parseCpuTicks('cpu  1 2\n')).to.throw(/no system field/);
    expect(parseCpuTicks(readFileSync('/proc/stat', 'utf8')).busyTicks).to.be.greaterThan(0);
  });

  it('interpolates busy ticks between samples and clamps outside them', () => {
    const s = [{ atUs: 1000, busyTicks: 10, softirqTicks: 0 }, { atUs: 2000, busyTicks: 30, softirqTicks: 4 }, { atUs: 4000, busyTicks: 30, softirqTicks: 4 }];
    expect(ticksAt(s, 1500)).to.equal(20);
    expect(ticksAt(s, 1500, 'softirqTicks')).to.equal(2);
    expect(ticksAt(s, 3000)).to.equal(30);
    expect(ticksAt(s, 0)).to.equal(10);
    expect(ticksAt(s, 9000)).to.equal(30);
    expect(() => ticksAt([], 1)).to.throw(/no \/proc\/stat samples/);
  });

  it('turns ticks into ns over a window (USER_HZ 100: a tick is 10 ms)', () => {
    let ticks = 0;
    const r = new MachineCpuRecorder(100, () => `cpu  ${ticks} 0 0 0 0 0 ${ticks / 5} 0 0 0\n`);
    r.sample();
    const startUs = monotonicUs();
    ticks = 25;
    r.sample();
    const endUs = monotonicUs();
    // the window runs from (about) the first sample to the second: 25 ticks = 250 ms
    const around = { startUs: startUs - 1_000_000, endUs: endUs + 1_000_000 };
    expect(r.busyNs(around)).to.equal(250e6 + 50e6);
    expect(r.busyNs(around, 'softirqTicks')).to.equal(50e6);
  });

  it('sees the CPU a busy loop burns: some CPU ran throughout its window', () => {
    const r = new MachineCpuRecorder(20);
    r.start();
    const startUs = monotonicUs();
    while (monotonicUs() - startUs < 300_000) {
      /* burn */
    }
    const endUs = monotonicUs();
    r.stop();
    // Loose: ticks are sampled, and a hypervisor may steal some of the window.
    expect(r.busyNs({ startUs, endUs })).to.be.greaterThan(0.25 * (endUs - startUs) * 1000);
  });

  it('gives a path\'s CPU per frame and the background\'s share of it from the quiet windows\' busy rate', () => {
    const path = Object.assign(new CpuTally(), { busyNs: 4e9, softirqNs: 1e9, wallUs: 10e6, frames: 10_000, windows: 20 });
    const quiet = Object.assign(new CpuTally(), { busyNs: 1e9, softirqNs: 2e8, wallUs: 10e6, windows: 20 });
    expect(machineCpuColumns(path, quiet)).to.deep.equal({
      cpu_percent: 40, cpu_ns_per_frame: 400_000, background_ns_per_frame: 100_000, softirq_ns_per_frame: 100_000, background_softirq_ns_per_frame: 20_000,
      frames: 10_000, window_s: 10, samples: 20,
    });
    expect(quietCpuColumns(quiet)).to.deep.equal({ cpu_percent: 10, window_s: 10, samples: 20 });
    expect(machineCpuColumns(new CpuTally(), new CpuTally())).to.include({ cpu_percent: null, cpu_ns_per_frame: null, background_ns_per_frame: null });
  });

  it('warns when the quiet windows found the machine mostly busy with other work', () => {
    const quiet = (percent: number): CpuTally => Object.assign(new CpuTally(), { busyNs: percent * 1e7, wallUs: 1e6, windows: 1 });
    expect(backgroundWarning('latency', quiet(150), 2)).to.match(/^latency: with no traffic the machine was 75 % busy \(2 CPUs\)/);
    expect(backgroundWarning('latency', quiet(90), 2)).to.equal(null);
    expect(backgroundWarning('latency', new CpuTally(), 2)).to.equal(null);
  });
});

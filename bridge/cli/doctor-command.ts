// `goose-bridge doctor`: checks the local preconditions it can see and says how to fix each.
// Takes the configuration options of `run` it checks against (and the same config file), so it
// checks what `run` would use.
import { existsSync, readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import type { Command } from 'commander';
import { hasCapNetAdmin, hasCapNetRaw } from '../../native/index.js';
import { AUTO_STATS_FILE, isPidAlive, readStatsFile, statsPathFor } from '../daemon/stats-file.js';
import type { StatsSnapshot } from '../daemon/bridge-counters.js';
import { tableStream } from './answer-stream.js';
import { describeBridge, surveyBridges } from './find-bridges.js';
import { GbError } from '../../errors/error-codes.js';
import { groupsToJoin } from '../wan/group-map.js';
import { findUplinks, type UplinkFinding } from '../wan/uplink.js';
import { readRgooseKeys } from '../config/rgoose-keys.js';
import { diagnose, formatFindings, summarize, type DoctorFacts, type UplinkFacts } from './doctor-checks.js';
import { addConfigOptions, loadConfig } from './run-command.js';
import { kernelTierSupport } from '../daemon/kernel-tier.js';

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function readInt(path: string): number | null {
  const t = readText(path);
  if (t === null) return null;
  const v = t.trim().startsWith('0x') ? parseInt(t.trim(), 16) : Number(t.trim());
  return Number.isFinite(v) ? v : null;
}

/** What the host shows of one uplink beside the finding: its flags and IGMP sysctls. */
function uplinkFacts(found: UplinkFinding): UplinkFacts {
  const name = found.exists ? found.name : null;
  return {
    found,
    flags: name === null ? null : readInt(`/sys/class/net/${name}/flags`),
    forceIgmpVersion: name === null ? null : readInt(`/proc/sys/net/ipv4/conf/${name}/force_igmp_version`),
    rpFilter: name === null ? null : readInt(`/proc/sys/net/ipv4/conf/${name}/rp_filter`),
  };
}

/** The keys doctor checks against: the uplink, the groups, the TAP, the daemon's stats file and WAN authentication. */
const DOCTOR_KEYS = ['interface', 'multicast_ip', 'mcast_if', 'group_map', 'join_groups', 'stats_file', 'stats_interval', 'encapsulation', 'rgoose_keys', 'data_plane'];

export function registerDoctorCommand(program: Command): void {
  const cmd = program.command('doctor').description('check local preconditions (IGMP version, rp_filter, uplink, membership, TAP) and say how to fix them');
  cmd.option('--json', 'print the findings as one JSON object on stdout (the table then goes to stderr)', false);
  addConfigOptions(cmd, DOCTOR_KEYS).action(async (opts: Record<string, unknown>) => {
    let cfg;
    try {
      cfg = loadConfig(opts).config;
    } catch (err) {
      if (err instanceof GbError) {
        process.stderr.write(`goose-bridge doctor: ${err.message}\n`);
        process.exitCode = 2;
        return;
      }
      throw err;
    }
    let mcastIf = cfg.mcastIf;
    const groups = groupsToJoin(cfg.groupMap, cfg.joinGroups);
    // The daemon checked is the one on --interface: by default found among the bridges of this
    // network namespace (never another namespace's, whose uplink does not exist here).
    let daemonRunning: boolean | null = false;
    let statsFile = cfg.statsFile === '' ? '' : statsPathFor(cfg.statsFile, cfg.interface);
    let otherBridges: string[] = [];
    let s: StatsSnapshot | null = null;
    if (cfg.statsFile === AUTO_STATS_FILE) {
      const survey = surveyBridges();
      const mine = survey.here.find((b) => b.snapshot.interface === cfg.interface);
      otherBridges = survey.here.filter((b) => b !== mine).map(describeBridge);
      if (mine !== undefined) ({ path: statsFile, snapshot: s } = mine);
    } else if (statsFile !== '' && existsSync(statsFile)) {
      try {
        s = readStatsFile(statsFile);
      } catch {
        daemonRunning = null;
      }
    }
    if (s !== null) {
      daemonRunning = isPidAlive(s.pid) && Date.now() - Date.parse(s.time) < Math.max(15_000, cfg.statsIntervalS * 3000);
      // The running daemon's uplinks (comma-separated, one per path) when the configuration takes the default route's.
      if (cfg.mcastIf.length === 0 && s.uplink) mcastIf = s.uplink.split(',');
    }
    const facts: DoctorFacts = {
      uplinks: findUplinks(mcastIf).map(uplinkFacts),
      forceIgmpVersionAll: readInt('/proc/sys/net/ipv4/conf/all/force_igmp_version'),
      rpFilterAll: readInt('/proc/sys/net/ipv4/conf/all/rp_filter'),
      procNetIgmp: readText('/proc/net/igmp'),
      groups,
      tapName: cfg.interface,
      tapExists: existsSync(`/sys/class/net/${cfg.interface}`),
      tapIsTun: existsSync(`/sys/class/net/${cfg.interface}/tun_flags`),
      tapFlags: readInt(`/sys/class/net/${cfg.interface}/flags`),
      hasCapNetRaw: hasCapNetRaw(),
      hasCapNetAdmin: hasCapNetAdmin(),
      daemonRunning,
      statsFile,
      otherBridges,
      littleEndian: endianness() === 'LE',
      encapsulation: cfg.encapsulation,
      rgooseKeys: cfg.rgooseKeys,
      rgooseKeysError: cfg.rgooseKeys === '' ? null : await readRgooseKeys(cfg.rgooseKeys).then(() => null, (err: Error) => err.message),
      dataPlane: cfg.dataPlane,
      ...(s?.data_plane !== undefined && daemonRunning === true ? { runningTier: s.data_plane } : cfg.dataPlane === 'user' ? {} : { kernelSupport: kernelTierSupport() }),
    };
    const findings = diagnose(facts);
    const { problems, warnings } = summarize(findings);
    // The answer on stdout: the table, or with --json the object (the table then on stderr, for a terminal).
    tableStream(opts.json === true).write(formatFindings(findings));
    if (opts.json === true) process.stdout.write(`${JSON.stringify({ ok: problems === 0, problems, warnings, findings })}\n`);
    if (findings.some((f) => f.level === 'fail')) process.exitCode = 1;
  });
}

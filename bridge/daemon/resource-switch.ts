// The one step that changes what the data plane runs with: open the resources a configuration
// needs, switch the engine to them (and to the new engine configuration) in one apply(), and
// on any failure close what was opened, so the running set is untouched and nothing leaks.
// Start, reload and the recreation of a lost TAP or socket all switch here.
import type { EngineConfig, ForwardingEngine } from '../../native/engine.js';
import type { L2Side } from './l2-side.js';

export interface SwitchPlan {
  /** Opens the L2 side the configuration needs; absent: the running one stays. */
  openL2?: () => L2Side;
  /** Opens the WAN sockets (returns their handle); absent: the running ones stay. */
  openWan?: () => number;
  /** The engine configuration, given the L2 side that will run (new, kept, or none yet). */
  config: (l2: L2Side | null) => EngineConfig;
}

export interface Switched {
  /** The L2 side now running, when the plan opened one. */
  l2?: L2Side;
  /** The WAN handle now running, when the plan opened one. */
  wan?: number;
}

type Engine = Pick<ForwardingEngine, 'apply' | 'discard'>;

/** Opens, applies, and commits or closes: throws with nothing running changed and nothing left open. */
export function switchResources(engine: Engine, plan: SwitchPlan, runningL2: L2Side | null): Switched {
  let wan: number | undefined;
  let l2: L2Side | undefined;
  try {
    wan = plan.openWan?.();
    l2 = plan.openL2?.();
    engine.apply({ config: plan.config(l2 ?? runningL2), ...(l2 !== undefined ? { l2: l2.handle } : {}), ...(wan !== undefined ? { wan } : {}) });
  } catch (err) {
    if (l2 !== undefined) engine.discard(l2.handle);
    if (wan !== undefined) engine.discard(wan);
    throw err;
  }
  return { ...(l2 !== undefined ? { l2 } : {}), ...(wan !== undefined ? { wan } : {}) };
}

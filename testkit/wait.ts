// The one wait loop of tests and benches: poll a condition until it holds or time runs out.

/**
 * Resolves once `cond` is true; rejects naming `what` after `timeoutMs`. `cond` may be async,
 * and may throw to give up early (e.g. when the process it waits on has ended).
 */
export async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// Tests that draw their own random inputs outside fc.assert (one batch for tshark, say) name the
// seed on failure, the way fast-check does, so FC_SEED=<seed> replays the run.
export function withSeed(seed: number, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    (err as Error).message = `seed ${seed} (replay: FC_SEED=${seed}): ${(err as Error).message}`;
    throw err;
  }
}

import fc from 'fast-check';

// fast-check prints the seed and path of every failure; FC_SEED=<seed> (and optionally
// FC_PATH=<path>) replays exactly that run.
if (process.env.FC_SEED !== undefined) {
  fc.configureGlobal({
    seed: Number(process.env.FC_SEED),
    ...(process.env.FC_PATH !== undefined ? { path: process.env.FC_PATH } : {}),
  });
}

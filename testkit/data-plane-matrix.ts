// The daemon test matrix: GB_TEST_DATA_PLANE=kernel|user runs every test that starts a daemon
// with that data_plane, through the environment every daemon inherits (GOOSE_BRIDGE_DATA_PLANE;
// a test that passes --data-plane itself still wins, as the command line does). Unset: the
// daemons' default (auto). Loaded by .mocharc.yml before any test.
const requested = process.env.GB_TEST_DATA_PLANE;

if (requested !== undefined && requested !== '') {
  if (requested !== 'kernel' && requested !== 'user') {
    throw new Error(`GB_TEST_DATA_PLANE: "${requested}" is not a data plane (kernel or user)`);
  }
  process.env.GOOSE_BRIDGE_DATA_PLANE = requested;
}

/** The data plane the daemons of this run use: kernel, user, or auto (their default). */
export function testDataPlane(): 'kernel' | 'user' | 'auto' {
  return requested === 'kernel' || requested === 'user' ? requested : 'auto';
}

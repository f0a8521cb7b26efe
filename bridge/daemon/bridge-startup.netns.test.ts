// Start-up failures that need a network namespace: an interface named like the TAP that is not
// a TAP, and an uplink that does not exist. Both stop start-up with a coded message, exit 1.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { skipUnlessRoot } from '../../testkit/preconditions.js';
import { createNamespace, deleteNamespace } from '../../testkit/netns.js';
import { CLI } from '../../testkit/daemon/bridge-under-test.js';

describe('goose-bridge run start-up failures (network namespace)', function () {
  this.timeout(60_000);
  let ns = '';

  before(function () {
    skipUnlessRoot(this, 'the bridge start-up failure tests');
    ns = createNamespace('start');
    const veth = spawnSync('ip', ['-n', ns, 'link', 'add', 'goose0', 'type', 'veth', 'peer', 'name', 'gx0'], { encoding: 'utf8' });
    if (veth.status !== 0) throw new Error(veth.stderr);
  });

  after(() => deleteNamespace(ns || undefined));

  function run(args: string[], prefix: string[] = []) {
    const r = spawnSync('ip', ['netns', 'exec', ns, ...prefix, process.execPath, CLI, 'run', '--stats-file', 'none', '--log-format', 'json', ...args], { encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, stderr: r.stderr };
  }

  it('refuses an interface of the TAP name that is not a TAP (GB_ERR_TAP_EXISTS, exit 1) and leaves it alone', () => {
    const r = run(['--interface', 'goose0', '--mcast-if', 'lo']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('GB_ERR_TAP_EXISTS').and.include('goose0');
    expect(spawnSync('ip', ['-n', ns, 'link', 'show', 'goose0']).status).to.equal(0);
  });

  it('names a missing uplink (GB_ERR_NO_INTERFACE, exit 1) and creates no TAP', () => {
    const r = run(['--interface', 'gtest0', '--mcast-if', 'nope0']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('GB_ERR_NO_INTERFACE').and.include('nope0');
    expect(spawnSync('ip', ['-n', ns, 'link', 'show', 'gtest0']).status).to.not.equal(0);
  });

  it('refuses data_plane = kernel where the kernel tier cannot load (no CAP_BPF), naming the key and the step (exit 1)', () => {
    const noBpf = ['setpriv', '--bounding-set=-bpf,-sys_admin,-perfmon'];
    const r = run(['--interface', 'gtest1', '--mcast-if', 'lo', '--data-plane', 'kernel', '--remove-tap-on-exit', 'true'], noBpf);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('GB_ERR_KERNEL_PATH: data_plane = kernel: the kernel tier cannot run');
    expect(spawnSync('ip', ['-n', ns, 'link', 'show', 'gtest1']).status, 'no TAP left behind').to.not.equal(0);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runMeta } from './run-meta.js';

describe('run meta: provenance', () => {
  let repo: string;
  const cwd = process.cwd();
  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'gb-meta-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
    git('init', '-q');
    mkdirSync(join(repo, 'out'));
    writeFileSync(join(repo, 'code.ts'), 'one\n');
    writeFileSync(join(repo, 'out', 'old.csv'), 'a\n');
    git('add', '-A');
    git('-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'c');
    process.chdir(repo);
  });
  afterEach(() => {
    process.chdir(cwd);
    rmSync(repo, { recursive: true, force: true });
  });

  it('a baseline rewritten in its own output folder still comes from a clean tree', () => {
    rmSync(join(repo, 'out', 'old.csv'));
    writeFileSync(join(repo, 'out', 'new.csv'), 'b\n');
    expect(runMeta(new Date(), 'x', [], join(repo, 'out')).clean_tree).to.equal('yes');
    expect(runMeta(new Date(), 'x', []).clean_tree).to.equal('no');
  });

  it('an output folder outside the repository still names the commit', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'gb-meta-out-'));
    try {
      const meta = runMeta(new Date(), 'x', [], elsewhere);
      expect(meta.commit).to.match(/^[0-9a-f]{40}$/);
      expect(meta.clean_tree).to.equal('yes');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('a changed source file outside the output folder makes the tree unclean', () => {
    writeFileSync(join(repo, 'code.ts'), 'two\n');
    const meta = runMeta(new Date(), 'x', [], join(repo, 'out'));
    expect(meta.clean_tree).to.equal('no');
    expect(meta.commit).to.match(/uncommitted changes/);
  });
});

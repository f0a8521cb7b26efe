#!/usr/bin/env node
// The published entry point. Runs the pre-bundled CLI (dist/, built by `npm run bundle`, part of
// `npm ci` through "prepare") when it is present and not older than any source it was built from;
// otherwise registers tsx so the TypeScript sources run as they are (the dev workflow: edit, run;
// GOOSE_FROM_SOURCE=1 forces it — not GOOSE_BRIDGE_*, which names configuration keys).
// Why a bundle: tsx's loader runs in its own thread with its own V8 heap (~35 MB resident) for
// the whole life of the process; a resident daemon should not carry a compiler.
import { readFileSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);

/** The bundle's entry URL when dist/ matches the sources byte count and mtime, else null. */
function freshBundle() {
  if (process.env.GOOSE_FROM_SOURCE === '1') return null;
  try {
    const entry = new URL('dist/goose-bridge.mjs', root);
    const builtMs = statSync(entry).mtimeMs;
    // esbuild's metafile: every source file bundled, with its size at build time.
    const meta = JSON.parse(readFileSync(new URL('dist/goose-bridge.meta.json', root), 'utf8'));
    const inputs = Object.entries(meta.inputs ?? {});
    if (inputs.length === 0) return null;
    for (const [path, info] of inputs) {
      const st = statSync(new URL(path, root));
      if (st.mtimeMs > builtMs || st.size !== info.bytes) return null;
    }
    return entry;
  } catch {
    return null; // no bundle, a source gone, unreadable metafile: run from source
  }
}

const bundle = freshBundle();
if (bundle !== null) {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./cli.ts');
}

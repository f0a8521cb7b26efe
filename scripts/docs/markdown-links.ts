// Relative links of a Markdown file and whether they resolve: the file exists and, for
// `file.md#anchor`, a heading (GitHub's anchor rules) or an explicit `<a id>` defines the anchor.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

export function anchorsOf(markdown: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) continue;
    const h = /^#{1,6} (.*)$/.exec(line);
    if (h !== null) {
      const base = headingAnchor(h[1]!);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const m of line.matchAll(/<a id="([^"]+)"/g)) out.add(m[1]!);
  }
  return out;
}

/** `[text](target)` targets that are neither absolute URLs nor mail links, outside code blocks. */
export function relativeLinks(markdown: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) continue;
    for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
      if (!/^[a-z]+:/i.test(m[1]!)) out.push(m[1]!);
    }
  }
  return out;
}

/** The links of `file` that do not resolve, each with why. */
export function brokenLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const broken: string[] = [];
  for (const link of relativeLinks(text)) {
    const [path, anchor] = link.split('#', 2) as [string, string | undefined];
    const target = path === '' ? file : join(dirname(file), path);
    if (!existsSync(target)) {
      broken.push(`${link}: ${target} does not exist`);
      continue;
    }
    if (anchor !== undefined && target.endsWith('.md') && !anchorsOf(readFileSync(target, 'utf8')).has(anchor)) {
      broken.push(`${link}: no heading or <a id> "${anchor}" in ${target}`);
    }
  }
  return broken;
}

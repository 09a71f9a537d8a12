// Everything the README, docs/ and the code refer to exists in the repository:
// relative links and their #anchors, docs/ paths named in code comments, and no
// reference to a design document the repository does not carry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(new URL('../..', import.meta.url).pathname);
const docs = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to dashes. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
}

function anchorsIn(markdown: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^#{1,6} (.+)$/.exec(line);
    if (m) out.add(anchorOf(m[1]!));
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mjs|js|yaml)$/.test(name)) out.push(path);
  }
  return out;
}

test('the anchor rule matches GitHub on the headings used here', () => {
  assert.equal(anchorOf('HTTP/2: the AWS SDK clients that use it'), 'http2-the-aws-sdk-clients-that-use-it');
  assert.equal(anchorOf('The `faultline` CLI'), 'the-faultline-cli');
  assert.equal(anchorOf('Quick start'), 'quick-start');
});

test('every relative link in README.md and docs/ resolves, anchors included', () => {
  const broken: string[] = [];
  for (const doc of docs) {
    const text = readFileSync(join(root, doc), 'utf8');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [path, anchor] = target!.split('#') as [string, string | undefined];
      const file = path === '' ? join(root, doc) : resolve(dirname(join(root, doc)), path);
      if (!existsSync(file)) {
        broken.push(`${doc}: ${target} (no ${relative(root, file)})`);
        continue;
      }
      if (anchor && file.endsWith('.md') && !anchorsIn(readFileSync(file, 'utf8')).has(anchor)) {
        broken.push(`${doc}: ${target} (no heading #${anchor})`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

test('the README stays a ten-minute read', () => {
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n').length;
  assert.ok(lines <= 320, `README.md has ${lines} lines; move reference material to docs/`);
});

// The design document and the folder beside the repository it came from, spelled
// in pieces so that this file does not itself name them.
const DOC = 'DES' + 'IGN';
const OUTSIDE_DOCUMENT = new RegExp([`${DOC}\\.md`, `\\.\\./${'sha' + 'red'}\\b`, `${DOC} section`].join('|'));

test('code and docs name only documents the repository holds', () => {
  const problems: string[] = [];
  const readmeAnchors = anchorsIn(readFileSync(join(root, 'README.md'), 'utf8'));
  for (const file of [...['src', 'cli', 'layer', 'scripts', 'bench', 'dashboards', 'examples', 'test'].flatMap((d) => sourceFiles(join(root, d))), ...docs.map((d) => join(root, d))]) {
    const text = readFileSync(file, 'utf8');
    const rel = relative(root, file);
    if (rel === 'test/docs/links.test.ts') continue; // its own patterns
    if (OUTSIDE_DOCUMENT.test(text)) problems.push(`${rel}: names a design document the repository does not hold`);
    for (const [, section] of text.matchAll(/README "([^"]+)"/g)) {
      if (!readmeAnchors.has(anchorOf(section!))) problems.push(`${rel}: README "${section}" is not a README heading`);
    }
    for (const [, path] of text.matchAll(/(?<![\w/.-])(docs\/[\w./-]+\.(?:md|png|svg))/g)) {
      if (!existsSync(join(root, path!))) problems.push(`${rel}: ${path} does not exist`);
    }
  }
  assert.deepEqual(problems, []);
});

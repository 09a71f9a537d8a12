// A mistake in a command's own flags is a usage error (exit 2) that names the
// flag, whatever the AWS settings: no region, no credentials and a bad
// endpoint all come after the flags are checked.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCliCaptured } from '../helpers/cli.js';

// No region, no keys, no profile: any AWS access would fail with exit 1.
const noAws = { PATH: process.env.PATH, HOME: '/nonexistent', AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials' };
const badRegion = { ...noAws, AWS_REGION: 'evil.example/', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' };

const cases: Array<[string, string[], RegExp]> = [
  ['set: unknown target', ['chaos', 'set', 'orders', '--target', 'nope:x', '--fault', 'error', '--error', '503', '--table', 't'], /target/],
  ['set: rate out of range', ['chaos', 'set', 'orders', '--target', 'aws:dynamodb', '--fault', 'error', '--error', 'ThrottlingException', '--rate', '7', '--table', 't'], /rate/],
  ['set: bad duration', ['chaos', 'set', 'orders', '--target', 'aws:dynamodb', '--fault', 'latency', '--latency', 'soon', '--table', 't'], /latency/],
  ['set: no fault', ['chaos', 'set', 'orders', '--target', 'aws:dynamodb', '--table', 't'], /fault/],
  ['set: no table', ['chaos', 'set', 'orders', '--target', 'aws:dynamodb', '--fault', 'error', '--error', '503'], /table/],
  ['clear: nothing chosen', ['chaos', 'clear', '--table', 't'], /nothing to clear/],
  ['guard set: nothing to change', ['chaos', 'guard', 'set', '--table', 't'], /nothing to change/],
  ['logs correlate: bad --since', ['logs', 'correlate', 'abc', '--functions', 'a', '--since', 'banana'], /--since banana/],
  ['logs correlate: no functions chosen', ['logs', 'correlate', 'abc'], /no functions chosen/],
  ['logs tail: bad --max-events', ['logs', 'tail', '--functions', 'a', '--max-events', '-3'], /--max-events/],
  ['coldstarts: two selections', ['coldstarts', '--prefix', 'a', '--functions', 'b'], /only one of/],
  ['run: no such scenario file', ['chaos', 'run', '/nonexistent/scenario.yaml', '--table', 't'], /scenario/],
];

for (const [envName, env] of [['no AWS settings', noAws], ['a bad region', badRegion]] as const) {
  describe(`usage errors come first, with ${envName}`, () => {
    for (const [name, args, names] of cases) {
      test(name, async () => {
        const r = await runCliCaptured(args, { env });
        assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
        assert.match(r.stderr, names);
      });
    }
  });
}

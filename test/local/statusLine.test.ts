import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { painter } from '../../cli/common.js';
import { createStatusWriter, renderStatus, type StatusState } from '../../cli/local/statusLine.js';

const state: StatusState = {
  elapsedMs: 12_400,
  phase: 'chaos',
  requestsPerSecond: 10,
  errorRate: 0.256,
  p50Ms: 48,
  p99Ms: 412,
  inflight: 3,
  environments: [
    { name: 'orders-api', count: 2 },
    { name: 'payments', count: 4 },
    { name: 'fulfilment', count: 1 },
  ],
};
// eslint-disable-next-line no-control-regex
const visible = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

test('the status line fits the width (one column spare), colours not counted, cut with …', () => {
  for (const colour of [false, true]) {
    const p = painter(colour);
    for (const columns of [40, 80, 200]) {
      const line = renderStatus(state, columns, p);
      assert.ok(visible(line).length <= columns - 1, `${columns} cols, colour ${colour}: ${visible(line).length} chars: ${visible(line)}`);
      assert.ok(!line.includes('\n') && !line.includes('\r'));
      assert.ok(visible(line).startsWith('[ 12s] chaos'), 'the time and phase always show');
    }
  }
  // Wide enough: everything, no ellipsis; narrow: the environments go first, the error rate stays.
  const wide = renderStatus(state, 200, painter(false));
  assert.ok(wide.includes('fulfilment×1') && !wide.includes('…'), wide);
  const narrow = renderStatus(state, 40, painter(false));
  assert.ok(narrow.includes('errors  25.6%') && narrow.endsWith('…'), narrow);
});

test('property: any state at any width renders within the width', () => {
  const st = fc.record({
    elapsedMs: fc.nat(10_000_000),
    phase: fc.constantFrom('warm-up', 'baseline', 'chaos', 'recovery'),
    requestsPerSecond: fc.double({ min: 0, max: 1e6, noNaN: true }),
    errorRate: fc.double({ min: 0, max: 1, noNaN: true }),
    p50Ms: fc.nat(1e7),
    p99Ms: fc.nat(1e7),
    inflight: fc.nat(1e5),
    environments: fc.array(fc.record({ name: fc.stringMatching(/^[a-z-]{1,40}$/), count: fc.nat(99) }), { maxLength: 8 }),
  });
  fc.assert(
    fc.property(st, fc.integer({ min: 1, max: 300 }), fc.boolean(), (s, columns, colour) => {
      assert.ok(visible(renderStatus(s, columns, painter(colour))).length <= Math.max(1, columns - 1));
    }),
  );
});

/** A terminal stand-in: records every write; `screen` replays them (\r to column 0, ESC[K clears the rest, \n next line). */
class FakeTty extends Writable {
  readonly writes: string[] = [];
  constructor(readonly isTTY: boolean, readonly columns: number) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.writes.push(chunk.toString());
    done();
  }
  /**
   * The lines left on screen. A line rewritten in place (\r) that was longer
   * than the width had wrapped: \r goes back to the start of its last row
   * only, and the rows above stay behind, stale; that shows as `STALE:`.
   */
  rows(): string[] {
    const rows: string[] = [];
    let current = '';
    const text = this.writes.join('');
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === '\n') {
        rows.push(current);
        current = '';
      } else if (c === '\r') {
        if (current.length >= this.columns) rows.push(`STALE:${current}`);
        current = '';
      } else if (text.startsWith('\x1b[K', i)) i += 2;
      else current += c;
    }
    if (current) rows.push(current);
    return rows;
  }
}

test('on a terminal: status lines stay within the width and other output never starts mid-line', () => {
  for (const columns of [40, 80, 200]) {
    const tty = new FakeTty(true, columns);
    const w = createStatusWriter(tty, painter(false), true);
    w.status(state);
    w.status({ ...state, elapsedMs: 13_000 });
    w.line('set rule payments/gameday-ddb-throttle');
    w.status({ ...state, phase: 'recovery' });
    w.line('── recovery: faultline chaos clear payments/gameday-ddb-throttle');
    w.status(state);
    w.finish();
    w.line('phase      requests  errors    p50      p99');
    const rows = tty.rows();
    assert.ok(!rows.some((r) => r.startsWith('STALE:')), `${columns}: ${rows.find((r) => r.startsWith('STALE:'))}`);
    for (const wr of tty.writes.filter((x) => x.startsWith('\r\x1b[K') && x.length > 4)) {
      assert.ok(visible(wr.slice(4)).length < columns, `${columns}: status ${visible(wr.slice(4)).length} chars`);
    }
    // Only the printed lines remain on screen: each status was cleared before them, none left behind.
    assert.deepEqual(rows, [
      'set rule payments/gameday-ddb-throttle',
      '── recovery: faultline chaos clear payments/gameday-ddb-throttle',
      'phase      requests  errors    p50      p99',
    ]);
    // Every line of output is written when the cursor is at column 0.
    for (let i = 0; i < tty.writes.length; i++) {
      const wr = tty.writes[i]!;
      if (wr.startsWith('\r')) continue; // a status redraw or the clear before a line
      const before = tty.writes.slice(0, i).join('');
      assert.ok(before === '' || before.endsWith('\n') || before.endsWith('\r\x1b[K'), `write ${JSON.stringify(wr)} follows ${JSON.stringify(before.slice(-40))}`);
    }
  }
});

test('not a terminal: plain whole lines, no cursor movement, nothing cut', () => {
  const pipe = new FakeTty(false, 40);
  const w = createStatusWriter(pipe, painter(false), false);
  w.status(state);
  w.line('set rule payments/gameday-ddb-throttle');
  w.status(state);
  w.finish();
  const text = pipe.writes.join('');
  assert.ok(!text.includes('\r') && !text.includes('\x1b'), JSON.stringify(text));
  const lines = text.split('\n').filter(Boolean);
  assert.equal(lines.length, 3);
  assert.ok(lines[0]!.endsWith('fulfilment×1') && lines[1] === 'set rule payments/gameday-ddb-throttle');
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

// The benchmark's workings only, at toy size: the numbers come from `npm run bench:sfu`.
describe('bench:sfu', () => {
  it('ramps a product room over two workers and a bare worker, and prints one JSON line', () => {
    const script = join(dirname(fileURLToPath(import.meta.url)), '..', 'sfu.mjs');
    const run = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...process.env,
        // The test runner is the isolation and has built the sfu already.
        KONFERENZ_BENCH_CHILD: 'test',
        BENCH_STEP: '3',
        BENCH_MAX_LISTENERS: '6',
        BENCH_SECONDS: '1',
        BENCH_WORKERS: '2',
        BENCH_ROUTER_MAX_CONSUMERS: '2',
      },
    });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 1, run.stdout);
    const result = JSON.parse(lines[0]);
    assert.equal(result.bench, 'sfu');
    // Past two consumers the room's listeners went to the other worker.
    assert.equal(result.product_room.largest_sustained.routers, 2);
    assert.equal(result.product_room.largest_sustained.listeners, 6);
    assert.equal(result.bare_one_worker.largest_sustained.listeners, 6);
    assert.equal(result.product_room.largest_sustained.loss_pct, 0);
    assert.equal(result.product_room.capped_at, 6);
  });
});

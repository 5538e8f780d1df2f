// tick-microtask, Node: N callbacks through the nextTick and microtask
// queues, as tide.c does: N/2 process.nextTick()s each queued by the one
// before, then N/2 microtasks each queued by the one before. Node has two
// ways to queue a microtask and both feed V8's one microtask queue:
// queueMicrotask(fn), the API tide_queue_microtask mirrors, and a promise
// reaction, resolved.then(fn), which skips queueMicrotask's per-call
// wrapper and is faster. Both chains run and Node is credited with the
// faster. The first chain starts from the main script, as in tide.c, the
// others from the end of the one before, so none waits for a loop
// iteration. Reported as wall ns per callback, nextTick chain plus the
// faster microtask chain over N; each chain is also printed as a comment.
'use strict';
const { env, result, wallNs } = require('../common/bench.js');

const n = env('BENCH_TICKS', 10000000);
const nTicks = Math.floor(n / 2);
const nMicro = n - nTicks;
const resolved = Promise.resolve();
let remaining = nTicks;
let t0, tTicks, tQueue;

function tick() {
  if (--remaining) {
    process.nextTick(tick);
    return;
  }
  tTicks = wallNs() - t0;
  remaining = nMicro;
  t0 = wallNs();
  queueMicrotask(queued);
}

function queued() {
  if (--remaining) {
    queueMicrotask(queued);
    return;
  }
  tQueue = wallNs() - t0;
  remaining = nMicro;
  t0 = wallNs();
  resolved.then(reaction);
}

function reaction() {
  if (--remaining) {
    resolved.then(reaction);
    return;
  }
  const tThen = wallNs() - t0;
  const per = (t, k) => (Number(t) / k).toFixed(2);
  console.log(`# node nextTick ${per(tTicks, nTicks)} ns/op, queueMicrotask ` +
              `${per(tQueue, nMicro)} ns/op, promise then ${per(tThen, nMicro)} ns/op`);
  const micro = tQueue < tThen ? tQueue : tThen;
  result('tick-microtask', 'node', Number(tTicks + micro) / n, 'ns/op');
}

t0 = wallNs();
process.nextTick(tick);

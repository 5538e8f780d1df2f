// promise, Node: the same four measurements as tide.c, with V8's promises
// and async functions.
//   promise-then-chain  chains of 1000 thens on a pending promise, resolved
//   promise-then-batch  1000 thens at a time on a settled promise
//   await-loop          one async function awaiting a settled promise N times
//   async-spawn         call an async function that returns at once (V8's
//                       closest counterpart to starting a fiber)
// Rounds follow each other through a macrotask (setImmediate), so every
// round's microtasks drain completely, as tide_drain does.
'use strict';
const { env, result, wallNs } = require('../common/bench.js');

const CHUNK = 1000;
const n = Math.floor(env('BENCH_PROMISES', 10000000) / CHUNK) * CHUNK;
let count = 0;
const inc = (v) => { count++; return v; };
const tick = () => new Promise((r) => setImmediate(r));

async function thenChain(total) {
  count = 0;
  const t0 = wallNs();
  for (let done = 0; done < total; done += CHUNK) {
    let resolveHead;
    let p = new Promise((r) => { resolveHead = r; });
    const head = p;
    for (let i = 0; i < CHUNK; i++) p = p.then(inc);
    resolveHead();
    await tick();
    void head;
  }
  const t = Number(wallNs() - t0) / total;
  if (count !== total) throw new Error('chain lost reactions');
  return t;
}

async function thenBatch(total) {
  const settled = Promise.resolve();
  count = 0;
  const t0 = wallNs();
  for (let done = 0; done < total; done += CHUNK) {
    for (let i = 0; i < CHUNK; i++) settled.then(inc);
    await tick();
  }
  const t = Number(wallNs() - t0) / total;
  if (count !== total) throw new Error('batch lost reactions');
  return t;
}

async function awaitLoop(total) {
  const settled = Promise.resolve(1);
  count = 0;
  const t0 = wallNs();
  for (let i = 0; i < total; i++) count += await settled;
  const t = Number(wallNs() - t0) / total;
  if (count !== total) throw new Error('awaits missing');
  return t;
}

async function returnsAtOnce(v) { count++; return v; }

async function spawn(total) {
  count = 0;
  const t0 = wallNs();
  for (let i = 0; i < total; i++) returnsAtOnce(i);
  await tick();
  const t = Number(wallNs() - t0) / total;
  if (count !== total) throw new Error('calls missing');
  return t;
}

(async () => {
  await thenChain(n / 10);
  result('promise-then-chain', 'node', await thenChain(n), 'ns/op');
  result('promise-then-batch', 'node', await thenBatch(n), 'ns/op');
  result('await-loop', 'node', await awaitLoop(n), 'ns/op');
  await spawn(n / 10);
  result('async-spawn', 'node', await spawn(n), 'ns/op');
})();

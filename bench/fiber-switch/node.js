// fiber-switch, Node: a generator is JavaScript's closest thing to a fiber
// that resumes and yields, though it is stackless (only the generator's own
// frame is suspended, not its callers').
//   fiber-switch  it.next(v) + yield, N times (default 10 million), one
//                 value each way, as tide.c's resume + yield.
//   fiber-spawn   M times (default 1 million): call a generator function,
//                 run it to the end with it.next(), drop it.
'use strict';
const { env, result, check, wallNs } = require('../common/bench.js');

const n = env('BENCH_SWITCHES', 10000000);
const m = env('BENCH_SPAWNS', 1000000);

function* ping(v) {
  for (;;) v = yield v + 1;
}

function* once(v) {
  return v + 1;
}

const it = ping(0);
let v = it.next().value;
for (let i = 0; i < 100000; i++) v = it.next(v).value; // warm up the JIT
v = 0;
let t0 = wallNs();
for (let i = 0; i < n; i++) v = it.next(v).value;
let t1 = wallNs();
check(v === n, 'generator did not run every pair');
result('fiber-switch', 'node', Number(t1 - t0) / n, 'ns/op');

let sum = 0;
t0 = wallNs();
for (let i = 0; i < m; i++) sum += once(i).next().value;
t1 = wallNs();
check(sum === (m * (m + 1)) / 2, 'a generator did not run');
result('fiber-spawn', 'node', Number(t1 - t0) / m, 'ns/op');

// timers, Node: timer-start, timer-restart and timer-fire as in tide.c, with
// the same N timeouts from the same PRNG.
//   start   setTimeout(); it allocates the Timeout object as it starts, and
//           Node offers no way to separate the two, so Node's start figure
//           includes an allocation the C versions do beforehand.
//   restart timeout.refresh(), Node's call for the idle-timeout pattern, in
//           the same shuffled order as the C versions.
//   fire    let the loop run until all have fired; process CPU ns per timer
//           (process.cpuUsage(), every thread, as CLOCK_PROCESS_CPUTIME_ID).
'use strict';
const { timeouts, permutation, env, result, check, wallNs, cpuNs } = require('../common/bench.js');

const n = env('BENCH_TIMERS', 1000000);
const timeout = timeouts(n);
const order = permutation(n);
const timers = new Array(n);
let fired = 0;
let c0, w0;

function onFire() {
  if (++fired === n) {
    const c1 = cpuNs();
    const w1 = wallNs();
    console.log(`# node fire phase: ${Math.round(Number(w1 - w0) / 1e6)} ms wall, ` +
                `${((c1 - c0) / 1e6).toFixed(1)} ms cpu`);
    result('timer-fire', 'node', (c1 - c0) / n, 'ns/op');
  }
}

let t0 = wallNs();
for (let i = 0; i < n; i++) timers[i] = setTimeout(onFire, timeout[i]);
let t1 = wallNs();
result('timer-start', 'node', Number(t1 - t0) / n, 'ns/op');

t0 = wallNs();
for (let i = 0; i < n; i++) timers[order[i]].refresh();
t1 = wallNs();
result('timer-restart', 'node', Number(t1 - t0) / n, 'ns/op');

c0 = cpuNs();
w0 = wallNs();
process.on('exit', () => check(fired === n, 'not every timer fired'));

// bench/common/bench.js - the Node side of bench/common/bench.h: the same
// xorshift32 timeout sequence, sizes from the environment, the RESULT line.
'use strict';

const SEED = 0x9E3779B9;

function xorshift32(state) {
  let x = state;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

// The n timeouts, 1..1000 ms, in the order bench_timeouts() gives them.
function timeouts(n) {
  const t = new Uint32Array(n);
  let s = SEED;
  for (let i = 0; i < n; i++) {
    s = xorshift32(s);
    t[i] = 1 + (s % 1000);
  }
  return t;
}

// The permutation bench_permutation() gives, draw for draw.
const ORDER_SEED = 0x2545F491;
function permutation(n) {
  const p = new Uint32Array(n);
  let s = ORDER_SEED;
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n; i > 1; i--) {
    s = xorshift32(s);
    const j = s % i;
    const x = p[i - 1];
    p[i - 1] = p[j];
    p[j] = x;
  }
  return p;
}

function env(name, def) {
  const s = process.env[name];
  if (s === undefined || s === '') return def;
  const v = Number(s);
  if (!Number.isInteger(v) || v <= 0) {
    console.error(`${name}=${s}: want a positive integer`);
    process.exit(2);
  }
  return v;
}

// Rounded as bench_result() rounds, so both sides print alike.
function result(bench, impl, value, unit) {
  const s = value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2);
  console.log(`RESULT ${bench} ${impl} ${s} ${unit}`);
}

function check(ok, what) {
  if (!ok) {
    console.error(`benchmark invalid: ${what}`);
    process.exit(1);
  }
}

const wallNs = () => process.hrtime.bigint();
// CPU time of the whole process in ns (user + system, every thread), the
// counterpart of CLOCK_PROCESS_CPUTIME_ID.
function cpuNs() {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
}

module.exports = { timeouts, permutation, env, result, check, wallNs, cpuNs, SEED, xorshift32 };

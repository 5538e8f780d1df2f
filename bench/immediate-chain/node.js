// immediate-chain, Node: N setImmediate() calls, each from the callback of
// the one before, so each runs in its own loop iteration - the pattern the
// C versions reproduce. Reported as wall ns per immediate.
//
// With BENCH_WITH_FD=1 the C versions add a watched fd that never becomes
// ready (immediate-chain-fd). Node's loop always has fds of its own
// registered (its libuv loop's signal pipe and async handles), so every
// iteration asks the kernel anyway; for symmetry this program also holds
// an idle loopback connection, and prints the -fd name.
'use strict';
const net = require('net');
const { env, result, check, wallNs } = require('../common/bench.js');

const n = env('BENCH_IMMEDIATES', 10000000);
const withFd = process.env.BENCH_WITH_FD === '1';
let remaining = n;
let t0;
let pipe = null;

if (withFd) {
  // Node has no pipe(); a connection to a local server that never writes
  // is the never-ready readable fd here.
  const server = net.createServer(() => {});
  server.listen(0, '127.0.0.1', () => {
    pipe = net.connect(server.address().port, '127.0.0.1', () => {
      server.close();
      start();
    });
    pipe.on('data', () => { throw new Error('idle fd became readable'); });
  });
} else {
  start();
}

function step() {
  if (--remaining === 0) {
    const t1 = wallNs();
    result(withFd ? 'immediate-chain-fd' : 'immediate-chain', 'node', Number(t1 - t0) / n, 'ns/op');
    if (pipe) pipe.destroy();
    return;
  }
  setImmediate(step);
}

function start() {
  t0 = wallNs();
  setImmediate(step);
}

process.on('exit', () => check(remaining === 0, 'not every immediate ran'));

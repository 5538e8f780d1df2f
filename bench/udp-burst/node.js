// udp-burst, Node: the pattern of tide.c with dgram: bursts of 64
// datagrams of 64 bytes from one socket to another on 127.0.0.1, the next
// burst once the receiver has the whole one. Reported as datagrams/s.
'use strict';
const dgram = require('dgram');
const { env, result, check, wallNs } = require('../common/bench.js');

const total = env('BENCH_DATAGRAMS', 1000000);
const BURST = 64;
const payload = Buffer.alloc(64);
const tx = dgram.createSocket('udp4');
const rx = dgram.createSocket('udp4');
let sent = 0, got = 0, inBurst = 0, port = 0, t0 = 0n;

function sendBurst() {
  for (let i = 0; i < BURST && sent < total; i++, sent++) tx.send(payload, port, '127.0.0.1');
}

rx.on('message', (m) => {
  check(m.length === 64, 'a datagram changed');
  got++;
  if (++inBurst === BURST || got === total) {
    inBurst = 0;
    if (sent < total) {
      sendBurst();
    } else {
      const t1 = wallNs();
      result('udp-burst', 'node', total / (Number(t1 - t0) / 1e9), 'ops/s');
      tx.close();
      rx.close();
    }
  }
});

rx.bind(0, '127.0.0.1', () => {
  rx.setRecvBufferSize(4 << 20);
  port = rx.address().port;
  t0 = wallNs();
  sendBurst();
});
process.on('exit', () => check(got === total, 'datagrams were lost'));

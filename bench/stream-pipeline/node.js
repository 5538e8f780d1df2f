// stream-pipeline, Node: 1 GiB in 64 KiB chunks through stream.pipeline of
// a source Readable, a Transform and a sink Writable, as tide.c does. The
// source pushes views of one buffer (no allocation per chunk), the
// transform passes each chunk on, the sink reads one byte of each. Marks
// of 1 MiB on every side were the fastest of 16 KiB (the default), 64 KiB,
// 256 KiB, 1 MiB and 4 MiB here. A pipeline of 1 GiB takes milliseconds
// and this shared machine's speed drifts over tenths of a second, so after
// two warm-up pipelines (for the JIT) it runs them for three seconds
// (BENCH_STREAM_SECONDS) and reports the median, as tide.c does.
'use strict';
const { Readable, Transform, Writable, pipeline } = require('stream');
const { env, result, check, wallNs } = require('../common/bench.js');

const CHUNK = 64 * 1024;
const TOTAL = env('BENCH_STREAM_MIB', 1024) * 1024 * 1024;
const HWM = 1024 * 1024;
const block = Buffer.alloc(CHUNK, 7);

function once(done) {
  let produced = 0;
  let consumed = 0;
  let sum = 0;
  const src = new Readable({
    highWaterMark: HWM,
    read() {
      while (produced < TOTAL) {
        produced += CHUNK;
        if (!this.push(block)) return;
      }
      this.push(null);
    },
  });
  const mid = new Transform({
    highWaterMark: HWM,
    transform(chunk, enc, cb) { cb(null, chunk); },
  });
  const sink = new Writable({
    highWaterMark: HWM,
    write(chunk, enc, cb) { consumed += chunk.length; sum += chunk[0]; cb(); },
  });
  const t0 = wallNs();
  pipeline(src, mid, sink, (err) => {
    const t = Number(wallNs() - t0) / 1e9;
    check(!err && consumed === TOTAL && sum === 7 * (TOTAL / CHUNK), 'bytes lost');
    done(TOTAL / 1048576 / t);
  });
}

const seconds = env('BENCH_STREAM_SECONDS', 3);
const rates = [];
let warm = 2;
let end = 0n;
function next(rate) {
  if (warm > 0) {
    warm--;
    if (warm === 0) end = wallNs() + BigInt(seconds) * 1000000000n;
  } else {
    rates.push(rate);
  }
  if (warm > 0 || rates.length < 9 || wallNs() < end) {
    once(next);
    return;
  }
  rates.sort((a, b) => a - b);
  result('stream-pipeline', 'node', rates[rates.length >> 1], 'MiB/s');
}
once(next);

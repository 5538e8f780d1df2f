// tests/model/model.js - what the Node sides of the differential tests
// share: the random numbers, xorshift32 drawn exactly as model.h draws them
// for the tide sides, the output, and the run over the seeds.
'use strict';

let state = 1;

exports.seedRnd = (seed) => { state = seed >>> 0 || 1; };

// The next number, 0 to n-1.
exports.rnd = (n) => {
  let x = state;
  x ^= x << 13; x >>>= 0;
  x ^= x >>> 17;
  x ^= x << 5; x >>>= 0;
  state = x;
  return x % n;
};

// What a program prints; all of it is written at the end.
const out = [];
const log = (s) => out.push(s);
exports.log = log;

// Run program(seed) for the seeds the command line asks for (FIRST COUNT),
// each after a "seed N" line; schedule(next) starts the next one once the
// program is done. An exception out of a program is none of its own (a
// TypeError from Node, a bug here): it is shown with its seed, and the run
// fails.
exports.runSeeds = (program, schedule) => {
  const first = Number(process.argv[2] || 1);
  const count = Number(process.argv[3] || 100);
  const flush = () => process.stdout.write(out.join('\n') + '\n');
  let seed = first;
  function next() {
    if (seed >= first + count) { flush(); return; }
    log('seed ' + seed);
    try {
      program(seed++);
    } catch (x) {
      flush();
      process.stderr.write(`seed ${seed - 1}: ${(x && x.stack) || x}\n`);
      process.exit(1);
    }
    schedule(next);
  }
  next();
};

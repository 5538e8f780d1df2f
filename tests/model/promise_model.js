// tests/model/promise_model.js - random promise programs, the Node side of
// the differential test: for each seed, build the program promise_model.c
// builds from the same random draws (async functions included), run it to
// the end, print every event.
// The test passes when tide prints exactly what Node prints, seed by seed.
'use strict';

const { log, rnd, runSeeds, seedRnd } = require('./model.js');

const codeOf = (e) => (e instanceof AggregateError ? 'AGG' + e.errors.length : String(e.code));
const fail = (code) => { const e = new Error('e'); e.code = code; return e; };
process.on('unhandledRejection', (e) => log('unhandled ' + codeOf(e)));

function build(seed) {
  seedRnd(seed);
  const P = [];
  let handlers = 0;
  const roots = 1 + rnd(3);
  for (let k = 0; k < roots; k++) {
    const kind = rnd(3);
    if (kind === 0) {
      let res, rej;
      P.push(new Promise((a, b) => { res = a; rej = b; }));
      const reject = rnd(2);
      setTimeout(() => { log('settle ' + k); if (reject) rej(fail(-(10 + k))); else res(k * 10); }, 0);
    } else if (kind === 1) {
      P.push(Promise.resolve(k * 10));
    } else {
      P.push(Promise.reject(fail(-(10 + k))));
    }
  }
  function handler(onError) {
    const id = handlers++;
    const how = rnd(3);
    const target = P[rnd(P.length)];
    return (x) => {
      log('h' + id + (onError ? ' err ' + codeOf(x) : ' ok ' + x));
      if (how === 1) throw fail(-(100 + id));
      if (how === 2) return target;
      return onError ? id * 100 : x + 1;
    };
  }
  function finallyHandler() {
    const id = handlers++;
    const how = rnd(2);
    return () => { log('f' + id); if (how) throw fail(-(100 + id)); };
  }
  const ops = 3 + rnd(8);
  for (let i = 0; i < ops; i++) {
    const kind = rnd(6);
    const src = P[rnd(P.length)];
    if (kind === 0) P.push(src.then(handler(false)));
    else if (kind === 1) P.push(src.then(handler(false), handler(true)));
    else if (kind === 2) P.push(src.catch(handler(true)));
    else if (kind === 3) P.push(src.finally(finallyHandler()));
    else if (kind === 4) {
      const id = handlers++;
      const how = rnd(2);
      P.push((async () => {
        try {
          const v = await src;
          log('a' + id + ' ok ' + v);
        } catch (e) {
          log('a' + id + ' err ' + codeOf(e));
        }
        if (how) throw fail(-(100 + id));
        return id * 1000;
      })());
    } else {
      const which = rnd(4);
      const n = 1 + rnd(3);
      const inputs = [];
      for (let j = 0; j < n; j++) inputs.push(P[rnd(P.length)]);
      const names = ['all', 'allSettled', 'race', 'any'];
      const c = Promise[names[which]](inputs);
      P.push(c.then((v) => {
        if (which === 0) log('all ' + v.join(','));
        else if (which === 1) log('allSettled ' + v.map((s) => s.status[0]).join(''));
        else log(names[which] + ' ' + v);
        return 7;
      }, (e) => { log(names[which] + ' err ' + codeOf(e)); return 8; }));
    }
  }
}

// A program is done after its 0 ms timers and their drains; a later timer
// starts the next one.
runSeeds(build, (next) => setTimeout(next, 3));

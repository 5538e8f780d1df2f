// S10: a transform's callback pushes zero or more outputs per input, in
// order; flush runs after the last transform and its outputs come last;
// the readable side's 'end' comes before the writable side's 'finish'.
const { Transform } = require('stream');
const t = new Transform({
  transform(chunk, enc, cb) {
    const s = chunk.toString();
    console.log(`transform ${s}`);
    if (s === 'skip') return cb();
    if (s === 'twice') { this.push('twice-1'); this.push('twice-2'); return cb(); }
    cb(null, s.toUpperCase());
  },
  flush(cb) {
    console.log('flush');
    this.push('flushed-1');
    setImmediate(() => cb(null, 'flushed-2'));
  },
});
t.on('data', (c) => console.log(`data ${c}`));
for (const ev of ['end', 'prefinish', 'finish', 'close']) t.on(ev, () => console.log(ev));
t.write('a');
t.write('skip');
t.write('twice');
t.end('z', () => console.log('end cb'));
process.nextTick(() => console.log('tick after end'));

const pass = new Transform({ transform(chunk, enc, cb) { cb(null, chunk); } });
pass.on('data', (c) => console.log(`pass data ${c}`));
pass.on('end', () => console.log('pass end'));
pass.on('finish', () => console.log('pass finish'));
pass.end('through');

// S5: write() after end() returns false; then, on later ticks, the write
// callback gets ERR_STREAM_WRITE_AFTER_END, 'error' is emitted, then
// 'close'. With autoDestroy off the stream is not destroyed: 'error' only.
const { Writable } = require('stream');
const cb = (s) => (err) => console.log(err ? `${s} ${err.code}` : `${s} ok`);

function make(name, opts) {
  const w = new Writable({ ...opts, write(chunk, enc, done) { setImmediate(done); } });
  for (const ev of ['finish', 'close']) w.on(ev, () => console.log(`${name} ${ev}`));
  w.on('error', (err) => console.log(`${name} error ${err.code} ${err.message}`));
  return w;
}

const a = make('a', {});
a.write('one', cb('a one cb'));
a.end(cb('a end cb'));
console.log(`a write after end ${a.write('two', cb('a two cb'))}`);
console.log(`a writable ${a.writable} ended ${a.writableEnded} destroyed ${a.destroyed}`);
process.nextTick(() => console.log('tick'));
Promise.resolve().then(() => console.log('microtask'));

setImmediate(() => {
  const b = make('b', { autoDestroy: false });
  b.end();
  console.log(`b write after end ${b.write('late', cb('b late cb'))}`);
  process.nextTick(() => console.log(`b destroyed ${b.destroyed}`));
});

// S4: end() marks the stream ending; once every write completed, _final
// runs; its callback emits 'prefinish', calls the end() callbacks, emits
// 'finish'; autoDestroy then emits 'close' on a later tick. Without
// _final and with synchronous writes, 'finish' comes from a nextTick
// queued during end(); with autoDestroy off there is no 'close'.
const { Writable } = require('stream');
const log = (s) => () => console.log(s);
const cb = (s) => (err) => console.log(err ? `${s} ${err.code}` : s);
const turn = (s) => Promise.resolve().then(log(s));

function watch(w, name) {
  for (const ev of ['prefinish', 'finish', 'close']) w.on(ev, log(`${name} ${ev}`));
}

const a = new Writable({
  write(chunk, enc, cb) { console.log('a _write'); cb(); },
  final(cb) { console.log('a _final'); setImmediate(() => { console.log('a final done'); cb(); }); },
});
watch(a, 'a');
a.write('x');
a.end(cb('a end cb'));
process.nextTick(log('tick after a.end'));
turn('microtask after a.end');

const b = new Writable({ write(chunk, enc, cb) { cb(); } });
watch(b, 'b');
b.end('last', cb('b end cb'));
process.nextTick(log('tick after b.end'));
b.end(cb('b second end cb'));

const c = new Writable({ autoDestroy: false, write(chunk, enc, cb) { setImmediate(cb); } });
watch(c, 'c');
c.write('y', cb('c write cb'));
c.end(cb('c end cb'));

setImmediate(() => {
  console.log('later immediate');
  b.end(cb('b end after finish cb'));
  c.end(cb('c end after finish cb'));
});

// stream.finished(stream, cb): once, when the stream ended and/or
// finished, or with its error, or with ERR_STREAM_PREMATURE_CLOSE when it
// closed first; for a stream already closed, on the next tick. A duplex
// waits for both sides unless told which one to watch.
const { Readable, Writable, Duplex, finished } = require('stream');
const report = (name) => (err) => console.log(`${name}: ${err ? err.code || err.message : 'ok'}`);

const w = new Writable({ write(c, e, cb) { setImmediate(cb); } });
finished(w, report('writable'));
w.on('finish', () => console.log('w finish'));
w.on('close', () => console.log('w close'));
w.end('x');

const r = new Readable({ read() {} });
finished(r, report('readable'));
r.on('end', () => console.log('r end'));
r.push('data');
r.push(null);
r.resume();

const early = new Readable({ read() {} });
finished(early, report('early'));
early.destroy();

const failing = new Writable({ write(c, e, cb) { cb(new Error('disk full')); } });
failing.on('error', () => console.log('failing error'));
finished(failing, report('failing'));
failing.write('y');

const d = new Duplex({ read() {}, write(c, e, cb) { cb(); } });
finished(d, report('duplex'));
finished(d, { writable: false }, report('duplex readable side'));
d.on('end', () => {
  console.log('d end');
  setImmediate(() => d.end());
});
d.push(null);
d.resume();

setImmediate(() => setImmediate(() => {
  console.log(`w closed ${w.closed}`);
  finished(w, report('writable again'));
  process.nextTick(() => console.log('tick after finished()'));
}));

// S5: destroy(err) sets destroyed at once, calls _destroy now, and emits
// 'error' and then 'close' on later ticks without waiting for the write in
// flight, whose callback still runs later (with null); buffered writes and
// writes after destroy fail with ERR_STREAM_DESTROYED. destroy() without an
// error emits only 'close'; a second destroy does nothing.
const { Writable, Readable } = require('stream');
const cb = (s) => (err) => console.log(err ? `${s} ${err.code || err.message}` : `${s} ok`);
let complete;
const w = new Writable({
  highWaterMark: 100,
  write(chunk, enc, done) { console.log(`_write ${chunk}`); complete = done; },
  destroy(err, done) { console.log(`_destroy ${err && err.message}`); done(err); },
});
w.on('error', (err) => console.log(`error ${err.message}`));
w.on('close', () => console.log('close'));
w.write('in flight', cb('in flight cb'));
w.write('buffered', cb('buffered cb'));
process.nextTick(() => console.log('tick before destroy'));
w.destroy(new Error('broken'));
console.log(`destroyed ${w.destroyed}`);
console.log(`write after destroy ${w.write('late', cb('late cb'))}`);
w.destroy(new Error('second'));
process.nextTick(() => console.log('tick after destroy'));
setImmediate(() => { console.log('complete the write'); complete(); });

const r = new Readable({ read() {} });
r.on('close', () => console.log('r close'));
r.on('error', () => console.log('r error (never)'));
r.push('data');
r.destroy();
console.log(`r destroyed ${r.destroyed}`);

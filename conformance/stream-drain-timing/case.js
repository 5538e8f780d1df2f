// S3: one _write at a time; when an asynchronous write completes, the next
// buffered chunk goes to _write at once, 'drain' (length 0 after a false
// return) comes before that write's callback. A synchronous completion
// defers drain and callback to one nextTick queued during write(); writes
// with the same callback share it.
const { Writable } = require('stream');
const tick = (s) => () => process.nextTick(() => console.log(s));
const micro = (s) => () => Promise.resolve().then(() => console.log(s));

const slow = new Writable({
  highWaterMark: 3,
  write(chunk, enc, cb) {
    console.log('_write ' + chunk);
    setImmediate(() => {
      console.log('complete ' + chunk);
      cb();
      console.log('after cb ' + chunk);
    });
  },
});
slow.on('drain', () => { console.log('drain'); micro('microtask after drain')(); });
console.log('write ab ' + slow.write('ab', () => console.log('cb ab')));
console.log('write cd ' + slow.write('cd', () => console.log('cb cd')));
console.log('write e ' + slow.write('e', () => { console.log('cb e'); syncWrites(); }));

function syncWrites() {
  console.log('-- sync writes');
  const sync = new Writable({
    highWaterMark: 2,
    write(chunk, enc, cb) { console.log('_write ' + chunk); cb(); },
  });
  sync.on('drain', () => console.log('sync drain'));
  const shared = () => console.log('shared cb');
  console.log('write x ' + sync.write('x', () => console.log('cb x')));
  tick('user tick 1')();
  console.log('write y ' + sync.write('y', () => console.log('cb y')));
  micro('promise')();
  console.log('write s1 ' + sync.write('s1', shared));
  console.log('write s2 ' + sync.write('s2', shared));
  tick('user tick 2')();
  console.log('write big ' + sync.write('big chunk'));
}

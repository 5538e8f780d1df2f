// S9: pipeline(a, b, c, cb). When a stage fails, every stage is destroyed
// with that error: the failing stage emits 'error' then 'close', then the
// others, from the source on; the callback runs once, last. On success the
// callback runs after every stream closed.
const { Readable, Transform, Writable, pipeline } = require('stream');

function watch(s, name) {
  s.on('error', (err) => console.log(`${name} error ${err.message}`));
  s.on('close', () => console.log(`${name} close`));
  s.on('end', () => console.log(`${name} end`));
  s.on('finish', () => console.log(`${name} finish`));
}

function stages(failAt, label) {
  let n = 0;
  const src = new Readable({
    objectMode: true,
    read() { n++; this.push(n <= 5 ? n : null); },
  });
  const mid = new Transform({
    objectMode: true,
    transform(chunk, enc, cb) {
      if (chunk === failAt) return cb(new Error(`boom at ${chunk}`));
      cb(null, chunk * 10);
    },
  });
  const sink = new Writable({
    objectMode: true,
    write(chunk, enc, cb) { console.log(`${label} sink got ${chunk}`); setImmediate(cb); },
  });
  watch(src, `${label} src`);
  watch(mid, `${label} mid`);
  watch(sink, `${label} sink`);
  return [src, mid, sink];
}

const failing = stages(3, 'A');
pipeline(...failing, (err) => {
  console.log(`A callback ${err ? err.message : 'ok'}`);
  console.log(`A destroyed ${failing.map((s) => s.destroyed).join(' ')}`);
  const ok = stages(0, 'B');
  pipeline(...ok, (err2) => {
    console.log(`B callback ${err2 ? err2.message : 'ok'}`);
    console.log(`B destroyed ${ok.map((s) => s.destroyed).join(' ')}`);
  });
});

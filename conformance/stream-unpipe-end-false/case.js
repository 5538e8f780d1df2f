// pipe with {end: false} leaves the destination writable after the source
// ends; unpipe(dst) emits 'unpipe' and pauses a source left without
// destinations; one source may feed two destinations, and the slower one
// holds both back; an error on the destination unpipes it.
const { Readable, Writable, PassThrough } = require('stream');
const log = (s) => () => console.log(s);

function sink(name, later) {
  const w = new Writable({
    objectMode: true,
    highWaterMark: 1,
    write(chunk, enc, cb) { console.log(`${name} got ${chunk}`); if (later) setImmediate(cb); else cb(); },
  });
  for (const ev of ['pipe', 'unpipe', 'finish', 'close']) w.on(ev, log(`${name} ${ev}`));
  return w;
}

function source(n) {
  let i = 0;
  return new Readable({ objectMode: true, highWaterMark: 1, read() { i++; this.push(i <= n ? i : null); } });
}

const a = source(3);
const keep = sink('keep', false);
a.on('end', () => {
  console.log(`a end, keep writable ${keep.writable}`);
  keep.end('by hand');
});
a.pipe(keep, { end: false });

setImmediate(() => {
  const b = new PassThrough({ objectMode: true });
  const one = sink('one', false);
  const two = sink('two', true);
  b.pipe(one);
  b.pipe(two);
  b.write(1);
  b.write(2);
  b.write(3);
  setImmediate(() => {
    b.unpipe(two);
    console.log(`after unpipe(two) flowing ${b.readableFlowing}`);
    b.unpipe();
    console.log(`after unpipe() flowing ${b.readableFlowing}`);
    b.write(4);
    console.log(`buffered ${b.readableLength}`);

    const c = source(5);
    const bad = new Writable({ objectMode: true, write(chunk, enc, cb) { cb(new Error('no')); } });
    bad.on('unpipe', log('bad unpipe'));
    bad.on('error', (e) => console.log(`bad error ${e.message}`));
    bad.on('close', () => console.log(`bad close, c flowing ${c.readableFlowing}`));
    c.pipe(bad);
  });
});

// S1, S2: write() returns false once the buffered length reaches the
// high-water mark, computed after a synchronous _write; chunks are still
// accepted above the mark; object mode counts one per chunk.
const { Writable } = require('stream');
const slow = new Writable({
  highWaterMark: 4,
  write(chunk, enc, cb) { setImmediate(cb); },
});
const show = (w, what, r) => console.log(`${what} -> ${r} length ${w.writableLength}`);
show(slow, 'write 1 byte', slow.write(Buffer.alloc(1)));
show(slow, 'write 2 bytes', slow.write(Buffer.alloc(2)));
show(slow, 'write 1 byte', slow.write(Buffer.alloc(1)));
show(slow, 'write 1 byte', slow.write(Buffer.alloc(1)));
slow.on('drain', () => console.log(`drain, length ${slow.writableLength}`));

const objects = new Writable({
  objectMode: true,
  highWaterMark: 2,
  write(chunk, enc, cb) { setImmediate(cb); },
});
show(objects, 'write object', objects.write({}));
show(objects, 'write object', objects.write({}));
show(objects, 'write object', objects.write({}));
objects.on('drain', () => console.log(`objects drain, length ${objects.writableLength}`));

const sync = new Writable({
  highWaterMark: 4,
  write(chunk, enc, cb) { cb(); },
});
show(sync, 'sync write 10 bytes', sync.write(Buffer.alloc(10)));
show(sync, 'sync write 4 bytes', sync.write(Buffer.alloc(4)));
sync.on('drain', () => console.log('sync drain (never)'));

const zero = new Writable({
  highWaterMark: 0,
  write(chunk, enc, cb) { setImmediate(cb); },
});
show(zero, 'zero-mark write', zero.write(Buffer.alloc(1)));
zero.on('drain', () => console.log(`zero-mark drain, length ${zero.writableLength}`));

// S11: for await (const chunk of readable) yields the chunks in order;
// break destroys the stream (_destroy gets an AbortError, 'close' is
// emitted, destroyed is true); running to the end leaves an ended,
// auto-destroyed stream; a stream error is thrown into the loop.
const { Readable } = require('stream');

function source(name, items, fail) {
  let i = 0;
  const r = new Readable({
    objectMode: true,
    read() {
      if (i < items.length) this.push(items[i++]);
      else if (fail) this.destroy(new Error(fail));
      else this.push(null);
    },
    destroy(err, cb) {
      console.log(`${name} _destroy ${err ? err.name : 'null'}`);
      cb(err);
    },
  });
  r.on('close', () => console.log(`${name} close`));
  r.on('end', () => console.log(`${name} end`));
  return r;
}

async function main() {
  const a = source('a', ['a1', 'a2', 'a3']);
  for await (const c of a) {
    console.log(`got ${c}`);
    if (c === 'a2') break;
  }
  console.log(`after break, destroyed ${a.destroyed}`);

  const b = source('b', ['b1', 'b2']);
  for await (const c of b) console.log(`got ${c}`);
  console.log(`after the end, destroyed ${b.destroyed}`);

  const e = source('e', ['e1'], 'it broke');
  try {
    for await (const c of e) console.log(`got ${c}`);
  } catch (err) {
    console.log(`caught ${err.message}`);
  }
  console.log(`after the error, destroyed ${e.destroyed}`);
}
main().then(() => setImmediate(() => console.log('done')));

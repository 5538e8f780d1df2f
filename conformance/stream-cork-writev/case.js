// cork() buffers every write; uncork() (here from a nextTick, Node's idiom)
// hands them all to _writev at once, whose callback calls each write's
// callback in order; end() uncorks. Lengths count the corked bytes.
const { Writable } = require('stream');
const log = (s) => () => console.log(s);
const w = new Writable({
  highWaterMark: 3,
  writev(chunks, cb) { console.log('writev ' + chunks.map((c) => c.chunk.toString()).join(',')); cb(); },
  write(chunk, enc, cb) { console.log('write ' + chunk); cb(); },
});
w.on('drain', log('drain'));
w.cork();
console.log(`${w.write('a', log('cb a'))} ${w.write('bb', log('cb b'))} ${w.write('c')}`);
console.log(`corked ${w.writableCorked} length ${w.writableLength}`);
process.nextTick(() => {
  w.uncork();
  console.log(`uncorked length ${w.writableLength}`);
});
process.nextTick(log('user tick'));
setImmediate(() => {
  console.log(`single ${w.write('one', log('cb one'))}`);
  w.cork();
  w.write('x', log('cb x'));
  w.write('y', log('cb y'));
  w.end('z', log('end cb'));
  w.on('finish', log('finish'));
  w.on('close', log('close'));
});

// dgram over 127.0.0.1: when 'listening', the send callbacks (addressed
// and connected), 'message' and 'close' come, against ticks, microtasks
// and immediates queued around them.
const dgram = require('dgram');

const a = dgram.createSocket('udp4');
const b = dgram.createSocket('udp4');
const c = dgram.createSocket('udp4');
let messages = 0;

b.on('listening', () => console.log('b listening'));
a.on('listening', () => console.log('a listening'));
b.on('close', () => console.log('b close'));
c.on('listening', () => console.log('c listening'));
c.on('close', () => console.log('c close'));
b.on('message', (m) => {
  console.log('message', m.toString());
  if (++messages === 4) {
    a.close(() => console.log('a close'));
    b.close();
    c.close();
    process.nextTick(() => console.log('tick after close'));
    setImmediate(() => console.log('immediate after close'));
  }
});

b.bind(0, '127.0.0.1');
a.bind(0, '127.0.0.1');
c.bind(0, '127.0.0.1');
process.nextTick(() => console.log('tick'));

setImmediate(() => {
  const port = b.address().port;
  console.log('immediate');
  a.send('one', port, '127.0.0.1', (e) => console.log('sent one', e));
  process.nextTick(() => {
    console.log('tick 1');
    process.nextTick(() => console.log('tick 1.1'));
  });
  Promise.resolve().then(() => console.log('microtask'));
  a.send('two', port, '127.0.0.1', (e) => console.log('sent two', e));
  process.nextTick(() => console.log('tick 2'));
  c.connect(port, '127.0.0.1', () => {
    console.log('c connected');
    c.send('three', (e) => console.log('sent three', e));
    process.nextTick(() => console.log('tick 3'));
    c.send('four', (e) => console.log('sent four', e));
  });
});

// S6, S7: _read runs only when someone reads and only below the mark; a
// 'data' listener makes the stream flow from the tick the first push
// queued, before the user's ticks; pause() stops 'data' at once, even in a
// 'data' listener, and resume() restarts it; 'readable' with read() is the
// paused mode; 'end' comes after all data, then 'close'.
const { Readable } = require('stream');
const log = (s) => () => console.log(s);

function source(name, items, hwm) {
  let i = 0;
  return new Readable({
    highWaterMark: hwm,
    read(size) {
      console.log(`${name} _read`);
      this.push(i < items.length ? items[i++] : null);
    },
  });
}

// Nobody reads: the buffer fills to the mark and stops.
const idle = source('idle', ['1', '2', '3', '4', '5', '6'], 3);
idle.push('0');
console.log(`idle flowing ${idle.readableFlowing} length ${idle.readableLength}`);

// Flowing, with a pause inside a 'data' listener.
const flowing = source('flow', ['a', 'b', 'c', 'd'], 16);
flowing.on('data', (c) => {
  console.log(`data ${c}`);
  if (String(c) === 'b') {
    flowing.pause();
    console.log(`paused ${flowing.isPaused()}`);
    setImmediate(() => { console.log('resume'); flowing.resume(); });
  }
});
flowing.on('end', log('flow end'));
flowing.on('close', log('flow close'));
console.log(`flowing ${flowing.readableFlowing}`);
process.nextTick(log('user tick'));
Promise.resolve().then(log('user microtask'));

// Paused mode: 'readable' then read() until null.
const paused = source('paused', ['x', 'y'], 16);
paused.on('readable', () => {
  let c;
  console.log('readable');
  while ((c = paused.read()) !== null) console.log(`read ${c}`);
});
paused.on('end', log('paused end'));
paused.on('close', log('paused close'));

// Object mode, read(0) and read() with the count of what was pushed.
const objs = new Readable({ objectMode: true, highWaterMark: 2, read() {} });
console.log(`push ${objs.push(1)} ${objs.push(2)} ${objs.push(3)}`);
console.log(`read ${objs.read()} length ${objs.readableLength}`);
objs.push(null);
objs.on('data', (o) => console.log(`object ${o}`));
objs.on('end', log('objects end'));

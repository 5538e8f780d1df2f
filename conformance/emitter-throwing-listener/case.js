// E7: a listener that throws leaves emit at once: later listeners of that
// emit are skipped, no registration changes, and the emitting code gets
// the error. In C, a listener returning a negative code is that throw.
const EventEmitter = require('events');
const e = new EventEmitter();
e.on('x', () => console.log('first'));
e.on('x', () => { console.log('second fails'); throw new Error('EIO'); });
e.on('x', () => console.log('third'));
try {
  e.emit('x');
  console.log('not reached');
} catch (err) {
  console.log('emit failed with', err.message);
}
console.log('listeners', e.listenerCount('x'));

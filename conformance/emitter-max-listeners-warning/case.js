// E8: more listeners than the limit (10 by default) gives one warning per
// event name, delivered from a nextTick after the code that added them,
// before ticks queued later and before microtasks. setMaxListeners(n)
// changes the limit, 0 turns it off.
const EventEmitter = require('events');
process.on('warning', (w) => console.log('warning', w.name, w.type, w.count));
const e = new EventEmitter();
for (let i = 0; i < 11; i++) e.on('data', () => {});
console.log('added 11 data listeners');
for (let i = 0; i < 5; i++) e.on('data', () => {});
e.setMaxListeners(1);
e.on('end', () => {});
e.on('end', () => {});
e.setMaxListeners(0);
for (let i = 0; i < 20; i++) e.on('close', () => {});
Promise.resolve().then(() => console.log('microtask'));
process.nextTick(() => console.log('tick'));
console.log('sync done');

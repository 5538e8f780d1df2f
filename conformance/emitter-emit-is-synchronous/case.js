// E2 and the seeds' "does emit run listeners on the next tick?": no. emit
// calls every listener now, in registration order, before it returns; what
// the listeners queue runs after the emitting code, ticks before
// microtasks; an emit from inside a listener finishes first.
const EventEmitter = require('events');
const e = new EventEmitter();
let nested = false;
e.on('greet', (who) => {
  console.log('listener 1', who);
  process.nextTick(() => console.log('tick from listener'));
  Promise.resolve().then(() => console.log('microtask from listener'));
  if (!nested) {
    nested = true;
    e.emit('greet', 'nested');
    console.log('nested emit done');
  }
});
e.on('greet', (who) => console.log('listener 2', who));
console.log('before emit');
console.log('emit returned', e.emit('greet', 'world'));
console.log('emit with no listener returned', e.emit('nobody'));
console.log('after emit');

// E6: 'error' with a listener is an ordinary event, errorMonitor listeners
// seeing it first. With none, errorMonitor still sees it, then it is thrown:
// uncaught, the process ends with status 1 and nothing queued runs.
const EventEmitter = require('events');
const e = new EventEmitter();
e.on(EventEmitter.errorMonitor, (err) => console.log('monitor saw', err.message));
const handler = (err) => console.log('handled', err.message);
e.on('error', handler);
console.log('emit returned', e.emit('error', new Error('first')));
e.off('error', handler);
process.nextTick(() => console.log('tick never runs'));
setTimeout(() => console.log('timer never runs'), 0);
console.log('emitting with no listener');
e.emit('error', new Error('second'));
console.log('not reached');

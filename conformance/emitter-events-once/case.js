// E9: events.once(emitter, name) is a promise of the next emit. Its
// listeners are gone when that emit returns; the promise settles in a
// microtask queued by the emit; 'error' emitted first rejects it.
const EventEmitter = require('events');
const { once } = require('events');
const e = new EventEmitter();
once(e, 'ready').then((args) => console.log('resolved with', args[0]));
console.log('listeners before', e.listenerCount('ready'), e.listenerCount('error'));
e.emit('ready', 'value');
console.log('listeners after', e.listenerCount('ready'), e.listenerCount('error'));
Promise.resolve().then(() => console.log('microtask queued after the emit'));
once(e, 'other').catch((err) => console.log('rejected with', err.message));
e.emit('error', new Error('failed first'));
console.log('sync done');

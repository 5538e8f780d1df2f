// E4-E5: newListener is emitted before a listener is added (a listener
// added from inside it ends up first), removeListener after one is
// removed, with counts already updated; removeAllListeners removes the
// last registered first, removeListener's own listeners last; eventNames
// keeps the order of first registration, and a name whose last listener
// went comes back at the end.
const EventEmitter = require('events');
const e = new EventEmitter();
function first() { console.log('first'); }
function second() { console.log('second'); }
e.on('newListener', (name, fn) => {
  console.log('newListener', name, fn.name, e.listenerCount(name));
  if (name === 'x' && fn === second) e.on('x', first);
});
e.on('removeListener', (name, fn) => {
  console.log('removeListener', name, fn.name, e.listenerCount(name));
});
e.on('x', second);
e.emit('x');
e.on('y', first);
e.on('w', second);
console.log('names', e.eventNames().join(','));
e.off('x', first);
e.off('x', second);
e.on('x', first);
console.log('names', e.eventNames().join(','));
e.removeAllListeners('y');
console.log('-- remove all');
e.removeAllListeners();
console.log('names', e.eventNames().join(','));

// E1-E4: emit runs over a snapshot taken when it starts: a listener
// removed during the emit still runs in it, one added does not. once
// removes itself before its call, so a nested emit cannot call it again;
// prepend and prependOnce put listeners first; off removes the most
// recently added matching registration.
const EventEmitter = require('events');
const e = new EventEmitter();
function b() { console.log('b'); }
function c() { console.log('c'); }
function a() { console.log('a'); e.off('x', b); e.on('x', c); }
e.on('x', a);
e.on('x', b);
console.log('-- first emit');
e.emit('x');
console.log('-- second emit');
e.emit('x');
console.log('count', e.listenerCount('x'));

const f = new EventEmitter();
let nested = false;
f.once('y', () => console.log('once'));
f.prependListener('y', () => console.log('prepended'));
f.prependOnceListener('y', () => console.log('prepended once'));
f.on('y', () => {
  console.log('on');
  if (!nested) {
    nested = true;
    console.log('-- nested emit');
    f.emit('y');
    console.log('-- nested emit done');
  }
});
console.log('-- emit y');
f.emit('y');
console.log('-- emit y again');
f.emit('y');
console.log('count', f.listenerCount('y'));

const g = new EventEmitter();
function d() { console.log('d'); }
g.on('z', d);
g.on('z', c);
g.on('z', d);
g.off('z', d);
console.log('-- after off d');
g.emit('z');

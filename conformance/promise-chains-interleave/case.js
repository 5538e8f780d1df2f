// P2: two chains started together advance one turn at a time, in the
// order their reactions were queued.
const log = (s) => () => console.log(s);
Promise.resolve().then(log('a1')).then(log('a2')).then(log('a3'));
Promise.resolve().then(log('b1')).then(log('b2'));
console.log('sync');

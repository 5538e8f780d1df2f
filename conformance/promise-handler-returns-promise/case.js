// P3: a handler's return value resolves the derived promise by the same
// steps, so returning a promise costs 2 extra turns.
const log = (s) => () => console.log(s);
Promise.resolve()
  .then(() => Promise.resolve('x'))
  .then((v) => console.log('got ' + v));
Promise.resolve().then(log('turn 1')).then(log('turn 2')).then(log('turn 3')).then(log('turn 4')).then(log('turn 5'));

// P3: resolving with a native promise that has already settled queues a
// resolve-thenable job, whose then queues one more job: 2 turns late.
const log = (s) => () => console.log(s);
const inner = Promise.resolve('v');
const p = new Promise((resolve) => resolve(inner));
p.then((v) => console.log('adopted ' + v));
Promise.resolve().then(log('turn 1')).then(log('turn 2')).then(log('turn 3')).then(log('turn 4'));

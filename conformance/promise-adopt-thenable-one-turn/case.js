// P3: a thenable whose then resolves synchronously settles the promise
// 1 turn late (its then is called from a job, never synchronously).
const log = (s) => () => console.log(s);
const thenable = { then(resolve) { console.log('then called'); resolve('t'); } };
const p = new Promise((resolve) => resolve(thenable));
p.then((v) => console.log('adopted ' + v));
console.log('sync');
Promise.resolve().then(log('turn 1')).then(log('turn 2')).then(log('turn 3'));

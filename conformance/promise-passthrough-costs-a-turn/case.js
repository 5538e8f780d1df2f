// P3: a then with no handler for the outcome passes it on, but still
// costs one job; catch on a fulfilled promise passes the value.
const log = (s) => () => console.log(s);
Promise.resolve('v').catch(log('never')).then((v) => console.log('value ' + v));
Promise.reject(new Error('e')).then(log('never')).catch((e) => console.log('caught ' + e.message));
Promise.resolve().then(log('turn 1')).then(log('turn 2')).then(log('turn 3'));

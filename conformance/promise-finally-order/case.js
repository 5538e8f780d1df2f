// P6: finally passes the outcome through and waits for what its callback
// returns; its exact turn count follows from then + PromiseResolve.
const log = (s) => () => console.log(s);
Promise.resolve('v').finally(() => console.log('finally 1')).then((v) => console.log('after finally ' + v));
Promise.reject(new Error('e')).finally(() => console.log('finally 2')).catch((e) => console.log('caught ' + e.message));
Promise.resolve('v').finally(() => { throw new Error('override'); }).catch((e) => console.log('overridden ' + e.message));
Promise.resolve().then(log('turn 1')).then(log('turn 2')).then(log('turn 3')).then(log('turn 4')).then(log('turn 5')).then(log('turn 6'));

// P5: return value resolves at once; return promise costs 2 extra turns;
// return await promise costs 1.
const log = (s) => () => console.log(s);
(async () => 'value')().then(() => console.log('return value'));
(async () => Promise.resolve())().then(() => console.log('return promise'));
(async () => await Promise.resolve())().then(() => console.log('return await promise'));
Promise.resolve().then(log('turn 1')).then(log('turn 2')).then(log('turn 3')).then(log('turn 4')).then(log('turn 5'));

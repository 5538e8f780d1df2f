// P5: each level of `await asyncFn()` nesting adds one turn to the
// caller's resumption.
const log = (s) => () => console.log(s);
async function leaf() { return 'leaf'; }
async function mid() { return await leaf(); }
(async () => { console.log('top got ' + await mid()); })();
(async () => { console.log('direct got ' + await leaf()); })();
Promise.resolve().then(log('turn 1')).then(log('turn 2')).then(log('turn 3')).then(log('turn 4'));

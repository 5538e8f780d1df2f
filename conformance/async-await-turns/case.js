// P4: await of a plain value or of a settled native promise resumes one
// turn later; await of a foreign thenable resumes after 2 turns.
const log = (s) => () => console.log(s);
(async () => { await 1; console.log('after await value'); })();
(async () => { await Promise.resolve(); console.log('after await promise'); })();
(async () => { await { then(r) { r(); } }; console.log('after await thenable'); })();
console.log('sync');
Promise.resolve().then(log('turn 1')).then(log('turn 2')).then(log('turn 3'));

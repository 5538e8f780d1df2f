// P7: combinators over settled inputs: a then on the result runs at
// turn 2; all keeps input order; race takes the first in the array; any
// takes the first fulfilment; allSettled reports each.
const log = (s) => () => console.log(s);
const a = Promise.resolve('a'), b = Promise.resolve('b'), bad = Promise.reject(new Error('bad'));
Promise.all([b, a]).then((v) => console.log('all ' + v.join(',')));
Promise.all([a, bad, Promise.reject(new Error('bad2'))]).catch((e) => console.log('all rejected ' + e.message));
Promise.race([bad, a]).catch((e) => console.log('race rejected ' + e.message));
Promise.any([bad, b, a]).then((v) => console.log('any ' + v));
Promise.allSettled([a, bad]).then((r) => console.log('allSettled ' + r.map((x) => x.status).join(',')));
Promise.all([]).then((v) => console.log('all empty ' + v.length));
Promise.any([bad]).catch((e) => console.log('any rejected: ' + e.message + ' (' + e.errors.length + ')'));
Promise.resolve().then(log('turn 1')).then(log('turn 2')).then(log('turn 3'));

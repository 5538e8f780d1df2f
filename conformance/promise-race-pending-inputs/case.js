// P7: with pending inputs, the first to settle decides; later ones are
// ignored but handled (never reported as unhandled).
let ra, rb;
const a = new Promise((r, j) => { ra = j; });
const b = new Promise((r) => { rb = r; });
Promise.race([a, b]).then((v) => console.log('race ' + v));
Promise.all([a, b]).catch((e) => console.log('all ' + e.message));
setTimeout(() => { rb('b'); console.log('resolved b'); }, 1);
setTimeout(() => { ra(new Error('late a')); console.log('rejected a'); }, 5);

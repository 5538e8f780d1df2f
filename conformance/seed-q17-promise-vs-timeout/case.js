// Seed 000 Q17: a resolved promise's reaction beats a 0 ms timer (L1, L2).
// Expected: A D C B.
console.log('A');
setTimeout(() => console.log('B'), 0);
Promise.resolve().then(() => console.log('C'));
console.log('D');

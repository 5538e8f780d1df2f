// Seed 003 Q2: sync code first, then the nextTick queue, then microtasks
// (L1, L2), and setImmediate only in the loop's check phase.
setImmediate(() => console.log('1: setImmediate'));
process.nextTick(() => console.log('2: nextTick'));
Promise.resolve().then(() => console.log('3: Promise'));
console.log('4: sync');

// Seed 000 Q18: chained thens all run before a 0 ms timer, because each
// reaction queues the next one and the microtask queue is drained to empty
// before the loop's first phase (L1, L2).
console.log('start');
setTimeout(() => console.log('timeout'), 0);
Promise.resolve()
  .then(() => console.log('promise 1'))
  .then(() => console.log('promise 2'));
console.log('end');

// P8: with no unhandledRejection listener, the rejection becomes an
// uncaught exception at the check: ticks and microtasks already queued
// still run, then the process exits with status 1 and timers never run.
setTimeout(() => console.log('timer never runs'), 0);
Promise.reject(new Error('boom'));
process.nextTick(() => console.log('tick'));
Promise.resolve().then(() => {
  console.log('microtask');
  process.nextTick(() => console.log('tick from microtask'));
});
console.log('sync');

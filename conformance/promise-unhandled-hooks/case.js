// P8: a rejection handled within the same drain is never reported; one
// still unhandled is reported at the end of the drain; a handler attached
// later produces rejectionHandled at the next check, after its job ran.
process.on('unhandledRejection', (e, p) => {
  console.log('unhandled ' + e.message);
  setTimeout(() => { console.log('late catch'); p.catch(() => console.log('caught late')); }, 1);
});
process.on('rejectionHandled', () => console.log('rejectionHandled'));
Promise.reject(new Error('lost'));
const p2 = Promise.reject(new Error('tick'));
process.nextTick(() => p2.catch(() => console.log('handled in tick')));
const p3 = Promise.reject(new Error('micro'));
Promise.resolve().then(() => p3.catch(() => console.log('handled in microtask')));
console.log('sync');

// L2: ticks queued by ticks run before anything else, so recursion through
// nextTick holds back the microtask queued before it and every phase of
// the loop (the immediate) until the recursion ends.
setImmediate(() => console.log('immediate'));
queueMicrotask(() => console.log('microtask'));
let depth = 0;
function recurse() {
  console.log(`tick depth ${depth}`);
  if (++depth < 5) process.nextTick(recurse);
}
process.nextTick(recurse);
console.log('main done');

// L2: microtasks queued by microtasks run before the tick queued from the
// first of them and before every phase of the loop (the immediate).
setImmediate(() => console.log('immediate'));
let depth = 0;
function recurse() {
  console.log(`microtask depth ${depth}`);
  if (depth === 0) process.nextTick(() => console.log('tick from depth 0'));
  if (++depth < 5) queueMicrotask(recurse);
}
queueMicrotask(recurse);
console.log('main done');

// L2: a nextTick queued from a microtask waits until the whole microtask
// queue is empty, including microtasks queued after it.
queueMicrotask(() => {
  console.log('microtask 1');
  process.nextTick(() => console.log('tick from microtask 1'));
  queueMicrotask(() => console.log('microtask 3 (from microtask 1)'));
});
Promise.resolve().then(() => console.log('microtask 2'));
console.log('main done');

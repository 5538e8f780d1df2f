// L2: a microtask queued from a tick waits until the whole tick queue is
// empty, including ticks queued after it.
process.nextTick(() => {
  console.log('tick 1');
  queueMicrotask(() => console.log('microtask from tick 1'));
  process.nextTick(() => console.log('tick 3 (from tick 1)'));
});
process.nextTick(() => console.log('tick 2'));
console.log('main done');

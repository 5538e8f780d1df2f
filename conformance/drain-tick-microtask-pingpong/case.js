// L2 step 3: when the microtask queue queues ticks, the drain goes back to
// the tick queue, and the two can ping-pong for any number of rounds, all
// before the loop's first phase (the immediate).
let rounds = 0;
function tick() {
  console.log(`tick ${rounds}`);
  queueMicrotask(microtask);
}
function microtask() {
  console.log(`microtask ${rounds}`);
  if (++rounds < 4) process.nextTick(tick);
}
setImmediate(() => console.log('immediate'));
process.nextTick(tick);
console.log('main done');

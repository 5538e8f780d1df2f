// L4(b): after a timer callback, an immediate it queued (check phase of the
// same iteration) runs before a 0 ms timer it created (timers phase of a
// later iteration), even when the timer was created first.
setTimeout(() => {
  console.log('timeout');
  setTimeout(() => console.log('timeout 0 from timeout'), 0);
  setImmediate(() => console.log('immediate from timeout'));
}, 1);

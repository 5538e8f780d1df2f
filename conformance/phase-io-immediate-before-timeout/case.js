// L4(a): after an I/O callback, setImmediate always runs before
// setTimeout(0), even when the timer was created first; the callback's own
// ticks and microtasks come before both (L2).
const fs = require('fs');
fs.readFile(__filename, () => {
  console.log('io callback');
  setTimeout(() => console.log('timeout 0'), 0);
  setImmediate(() => console.log('immediate'));
  Promise.resolve().then(() => console.log('microtask'));
  process.nextTick(() => console.log('tick'));
});

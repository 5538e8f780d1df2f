// L2: ticks always run before microtasks queued in the same callback, even
// when the microtask was queued first: in the main script, a timer, an
// immediate and an I/O callback.
const fs = require('fs');
function both(where) {
  Promise.resolve().then(() => console.log(`${where}: microtask`));
  process.nextTick(() => console.log(`${where}: tick`));
}
both('main');
setTimeout(() => {
  both('timeout');
  setImmediate(() => {
    both('immediate');
    fs.readFile(__filename, () => both('io'));
  });
}, 1);

// T3: a timer created during the timers phase never runs in that phase,
// even when it becomes due while the phase is still running: it waits for
// the next iteration, after this iteration's immediates.
setTimeout(() => {
  console.log('timeout A');
  setTimeout(() => console.log('timeout C (created by A)'), 1);
  setImmediate(() => console.log('immediate (queued by A)'));
}, 1);
setTimeout(() => {
  console.log('timeout B');
  // C is due by the time B returns, but the phase's clock reading is older.
  const end = Date.now() + 5;
  while (Date.now() < end);
}, 1);
// A and B are both due when the first timers phase starts.
const end = Date.now() + 5;
while (Date.now() < end);

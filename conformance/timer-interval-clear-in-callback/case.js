// T5: an interval re-arms after every run until it is cleared; clearing it
// inside its own callback stops it and lets the process exit. The ticks and
// microtasks of one firing run before the next firing.
let n = 0;
const interval = setInterval(() => {
  const k = ++n;
  console.log(`interval ${k}`);
  Promise.resolve().then(() => console.log(`interval ${k}: microtask`));
  process.nextTick(() => console.log(`interval ${k}: tick`));
  if (k === 3) {
    clearInterval(interval);
    console.log('cleared');
  }
}, 2);
process.on('exit', () => console.log('loop done'));

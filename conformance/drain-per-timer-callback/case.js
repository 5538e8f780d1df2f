// L3: the drain is per callback, not per phase. Three timers expire in the
// same timers phase, and each one's ticks and microtasks (and the chain a
// microtask starts) run before the next timer's callback.
function timer(name) {
  return () => {
    console.log(`${name}`);
    Promise.resolve()
      .then(() => console.log(`${name}: then 1`))
      .then(() => console.log(`${name}: then 2`));
    process.nextTick(() => console.log(`${name}: tick`));
  };
}
setTimeout(timer('timeout A'), 2);
setTimeout(timer('timeout B'), 2);
setTimeout(timer('timeout C'), 2);
// All three are due before the first timers phase starts.
const end = Date.now() + 10;
while (Date.now() < end);

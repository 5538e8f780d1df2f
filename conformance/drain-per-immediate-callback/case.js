// L3: between two immediates of one check phase the drain runs in full:
// each immediate's ticks and microtasks run before the next immediate.
function immediate(name) {
  return () => {
    console.log(`${name}`);
    queueMicrotask(() => {
      console.log(`${name}: microtask`);
      process.nextTick(() => console.log(`${name}: tick from microtask`));
    });
    process.nextTick(() => console.log(`${name}: tick`));
  };
}
setImmediate(immediate('immediate A'));
setImmediate(immediate('immediate B'));
setImmediate(immediate('immediate C'));

// I2: an immediate cleared before it runs never runs, even when the
// clearing callback runs earlier in the same check phase. Clearing it again
// (or clearing null) does nothing.
let b;
setImmediate(() => {
  console.log('immediate A: clears B');
  clearImmediate(b);
  clearImmediate(b);
  clearImmediate(null);
});
b = setImmediate(() => console.log('immediate B (never)'));
setImmediate(() => console.log('immediate C'));

// I1 (FIFO), A2: immediates run in the order they were queued, and one
// queued by an immediate goes to the back, so two chains of immediates
// take turns, one step each per check phase.
function chain(name, steps) {
  let step = 1;
  function run() {
    console.log(`${name} step ${step}`);
    if (++step <= steps) setImmediate(run);
  }
  setImmediate(run);
}
chain('A', 3);
chain('B', 3);

// L4(d): the next iteration starts with timers, so a due timer runs before
// an immediate queued during the previous check phase.
setImmediate(() => {
  console.log('immediate 1');
  setImmediate(() => console.log('immediate 2 (queued in the check phase)'));
  setTimeout(() => console.log('timeout'), 1);
  // Make the timer due before the next iteration begins.
  const end = Date.now() + 5;
  while (Date.now() < end);
});

// I1: the check phase runs only the immediates queued before it began. C,
// queued by A during the check phase, does not run in it: it waits for the
// next iteration, after that iteration's timers. B, queued before the phase
// began, runs in it.
setImmediate(() => {
  console.log('immediate A');
  setImmediate(() => console.log('immediate C (queued by A)'));
  setTimeout(() => console.log('timeout (created by A)'), 1);
  // Make the timer due before the next iteration begins.
  const end = Date.now() + 5;
  while (Date.now() < end);
});
setImmediate(() => console.log('immediate B'));

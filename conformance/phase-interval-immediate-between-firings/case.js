// L4(b): an immediate queued by an interval's callback runs before that
// interval fires again, so firings and immediates alternate.
let n = 0;
const interval = setInterval(() => {
  const k = ++n;
  console.log(`interval ${k}`);
  setImmediate(() => console.log(`immediate ${k}`));
  if (k === 3) clearInterval(interval);
}, 1);

// T4: a timer cleared by an earlier callback of the same timers pass never
// runs, although it was already due. clearInterval works on a timeout too,
// and clearing an id again (or clearing nothing) is harmless.
let b, c;
setTimeout(() => {
  console.log('timeout A: clears B and C');
  clearTimeout(b);
  clearInterval(c);
  clearTimeout(b);
  clearTimeout(undefined);
}, 1);
b = setTimeout(() => console.log('timeout B (never)'), 1);
c = setTimeout(() => console.log('timeout C (never)'), 1);
setTimeout(() => console.log('timeout D'), 1);
// All four are due in the first timers pass.
const end = Date.now() + 5;
while (Date.now() < end);

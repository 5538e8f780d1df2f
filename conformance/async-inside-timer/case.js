// A4: a coroutine started in a timer callback runs its whole microtask
// chain before the next timer callback.
async function chain(name) {
  console.log(name + ' start');
  await null;
  console.log(name + ' step 1');
  await null;
  console.log(name + ' step 2');
}
setTimeout(() => chain('t1'), 0);
setTimeout(() => chain('t2'), 0);

// A2: tasks that yield with an immediate take turns, one step per loop
// iteration.
const yieldNow = () => new Promise((r) => setImmediate(r));
async function worker(name) {
  for (let i = 1; i <= 3; i++) { console.log(name + ' ' + i); await yieldNow(); }
}
worker('a');
worker('b');

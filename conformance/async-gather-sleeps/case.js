// A1: operations started together overlap: sleeps finish in delay order
// and Promise.all keeps input order (asyncio.gather). Awaiting one after
// another serialises them.
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function task(name, ms) { await sleep(ms); console.log(name); return name; }
(async () => {
  const r = await Promise.all([task('slow', 20), task('fast', 10)]);
  console.log('gathered ' + r.join(','));
  await task('first', 10);
  await task('second', 5);
  console.log('serial done');
})();

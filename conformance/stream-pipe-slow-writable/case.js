// S8: src.pipe(dst) writes every chunk; a false write() pauses src until
// dst's 'drain', while src keeps reading ahead to its own mark. With object
// mode, a synchronous one-item _read and asynchronous writes, the chunks
// produced before the first 'drain' are src.hwm + dst.hwm. Each pair of
// marks runs after the one before has finished ('pipe', 'end', 'finish').
const { Readable, Writable } = require('stream');
const pairs = [[2, 2], [3, 2], [2, 3], [1, 1], [4, 1], [1, 4], [5, 5]];

function run(i) {
  if (i === pairs.length) return;
  const [rh, wh] = pairs[i];
  let produced = 0;
  let drains = 0;
  const total = 12;
  const src = new Readable({
    objectMode: true,
    highWaterMark: rh,
    read() { produced++; this.push(produced <= total ? produced : null); },
  });
  const dst = new Writable({
    objectMode: true,
    highWaterMark: wh,
    write(chunk, enc, cb) { setImmediate(cb); },
  });
  dst.on('pipe', () => console.log(`pipe (${rh},${wh})`));
  dst.on('drain', () => {
    if (drains++ === 0) console.log(`produced ${produced} before the first drain`);
  });
  src.on('end', () => console.log('src end'));
  dst.on('finish', () => console.log(`dst finish after ${drains} drains`));
  dst.on('close', () => { console.log('dst close'); run(i + 1); });
  src.pipe(dst);
}
run(0);

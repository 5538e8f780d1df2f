// A file read stream's events in Node's order: 'open' (with the fd) and
// 'ready' once the open completes, the chunks of highWaterMark bytes, then
// 'end' and, once the fd is closed, 'close'. bytesRead counts what came.
const fs = require('fs');
const os = require('os');
const path = require('path');

const file = path.join(os.tmpdir(), `tide-case-read-${process.pid}.txt`);
fs.writeFileSync(file, 'hello world\n');
const r = fs.createReadStream(file, { highWaterMark: 4 });
r.on('open', (fd) => console.log('open', typeof fd));
r.on('ready', () => console.log('ready'));
r.on('data', (chunk) => console.log('data', JSON.stringify(chunk.toString())));
r.on('end', () => console.log('end', r.bytesRead));
r.on('close', () => {
  console.log('close');
  fs.unlinkSync(file);
});
process.nextTick(() => console.log('tick'));
console.log('main done');

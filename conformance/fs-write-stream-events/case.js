// A file write stream's events in Node's order: 'open' and 'ready', the
// write's callback, 'prefinish', end()'s callback, 'finish', and 'close'
// once the fd is closed; bytesWritten counts what was written.
const fs = require('fs');
const os = require('os');
const path = require('path');

const file = path.join(os.tmpdir(), `tide-case-write-${process.pid}.txt`);
const w = fs.createWriteStream(file);
w.on('open', (fd) => console.log('open', typeof fd));
w.on('ready', () => console.log('ready'));
w.on('prefinish', () => console.log('prefinish'));
w.on('finish', () => console.log('finish', w.bytesWritten));
w.on('close', () => {
  console.log('close', JSON.stringify(fs.readFileSync(file, 'utf8')));
  fs.unlinkSync(file);
});
console.log('write returned', w.write('abc', () => console.log('write cb')));
w.end('def', () => console.log('end cb'));
process.nextTick(() => console.log('tick'));
console.log('main done');

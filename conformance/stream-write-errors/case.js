// Errors of the writable side: a failing _final (end() callback, 'error',
// 'close'), an asynchronous _write error (its callback, then every buffered
// write's, then 'error'), a synchronous one (deferred to a tick), and a
// _write that completes twice (ERR_MULTIPLE_CALLBACK).
const { Writable } = require('stream');
const log = (s) => (e) => console.log(e ? `${s} ${e.code || e.message}` : s);

const f = new Writable({ write(c, e, cb) { cb(); }, final(cb) { cb(new Error('final failed')); } });
f.on('error', log('f error'));
f.on('finish', log('f finish'));
f.on('close', log('f close'));
f.end('q', log('f end cb'));

const g = new Writable({ write(c, e, cb) { setImmediate(() => cb(new Error('bad ' + c))); } });
g.on('error', log('g error'));
g.on('close', log('g close'));
g.write('1', log('g cb 1'));
g.write('2', log('g cb 2'));

const h = new Writable({ write(c, e, cb) { cb(new Error('sync bad')); } });
h.on('error', log('h error'));
h.on('close', log('h close'));
console.log(`h write ${h.write('1', log('h cb 1'))}`);
process.nextTick(log('user tick'));

const m = new Writable({ write(c, e, cb) { cb(); cb(); } });
m.on('error', log('m error'));
m.on('close', log('m close'));
m.write('1', log('m cb 1'));

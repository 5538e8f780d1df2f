// T6, L5: an unref'd timer does not keep the loop alive, so it never fires
// when nothing else does: the loop ends after the 5 ms timer.
const t = setTimeout(() => console.log('timeout 500 ms (never)'), 500);
t.unref();
setTimeout(() => console.log('timeout 5 ms'), 5);
process.on('exit', () => console.log('loop done'));

// T6: hasRef() reports the ref state; ref() undoes unref(), so the timer
// keeps the loop alive and fires, while the unref'd one after it never does.
const a = setTimeout(() => console.log('timeout A (10 ms)'), 10);
a.unref();
console.log(`A after unref: hasRef ${a.hasRef()}`);
a.ref();
console.log(`A after ref: hasRef ${a.hasRef()}`);
const b = setTimeout(() => console.log('timeout B (500 ms, never)'), 500);
b.unref();
console.log(`B after unref: hasRef ${b.hasRef()}`);
process.on('exit', () => console.log('loop done'));

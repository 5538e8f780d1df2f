// P3: a promise resolved with itself rejects with a TypeError.
const p = Promise.resolve().then(() => p);
p.catch((e) => console.log('rejected: ' + e.message));

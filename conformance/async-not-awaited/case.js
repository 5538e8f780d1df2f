// A3: forEach(async ...) returns at once; its callbacks finish after the
// code that follows.
[1, 2, 3].forEach(async (x) => { await null; console.log('item ' + x); });
console.log('after forEach');

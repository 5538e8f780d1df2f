// P5: calling an async function runs its body up to the first await at
// once; a failure before any await rejects the promise instead of
// escaping at the call site.
async function f() {
  console.log('body starts');
  await null;
  console.log('body resumes');
  return 'done';
}
async function g() { throw new Error('early'); }
const p = f();
console.log('after call');
g().catch((e) => console.log('rejected ' + e.message));
p.then((v) => console.log('resolved ' + v));

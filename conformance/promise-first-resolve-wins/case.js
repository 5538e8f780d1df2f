// P3: only the first resolve or reject counts; a throw after resolving is
// ignored; the executor runs synchronously.
const p = new Promise((resolve, reject) => {
  console.log('executor');
  resolve('first');
  resolve('second');
  reject(new Error('late'));
});
p.then((v) => console.log('value ' + v));
const q = new Promise((resolve, reject) => { reject(new Error('no')); resolve('yes'); });
q.catch((e) => console.log('rejected ' + e.message));
console.log('sync');

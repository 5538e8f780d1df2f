// T1: a delay that is not >= 1 (0, negative, NaN) becomes 1 ms, and such
// timers share the 1 ms list with real 1 ms timers, in creation order. The
// 100 ms timer created first still fires last.
setTimeout(() => console.log('100 ms'), 100);
setTimeout(() => console.log('0 ms'), 0);
setTimeout(() => console.log('1 ms'), 1);
setTimeout(() => console.log('-5 ms'), -5);
setTimeout(() => console.log('NaN ms'), NaN);
setTimeout(() => console.log('0 ms again'), 0);

// T1: a delay that is not >= 1 (0, negative, NaN) or is above 2^31 - 1
// becomes 1 ms (Node warns about the latter on stderr), and such
// timers share the 1 ms list with real 1 ms timers, in creation order. The
// 100 ms timer created first still fires last.
setTimeout(() => console.log('100 ms'), 100);
setTimeout(() => console.log('0 ms'), 0);
setTimeout(() => console.log('1 ms'), 1);
setTimeout(() => console.log('-5 ms'), -5);
setTimeout(() => console.log('NaN ms'), NaN);
setTimeout(() => console.log('2**31 ms'), 2 ** 31);
setTimeout(() => console.log('0 ms again'), 0);

// T3: timers with the same delay fire in creation order, and earlier due
// times first, whatever order they were created in.
setTimeout(() => console.log('150 ms'), 150);
for (let i = 1; i <= 5; i++) {
  setTimeout(() => console.log(`50 ms #${i}`), 50);
}
setTimeout(() => console.log('100 ms'), 100);

// Seed 000 Q21: callbacks run later, so with `var` all three timers see the
// one shared i after the loop has finished: 3, 3, 3. Timers with equal delay
// fire in creation order (T3).
for (var i = 0; i < 3; i++) {
  setTimeout(() => console.log(i), 0);
}

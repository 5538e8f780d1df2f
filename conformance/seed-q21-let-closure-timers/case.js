// Seed 000 Q21, the fix: `let` gives each iteration its own binding, so the
// timers print 0, 1, 2, in creation order (T3).
for (let i = 0; i < 3; i++) {
  setTimeout(() => console.log(i), 0);
}

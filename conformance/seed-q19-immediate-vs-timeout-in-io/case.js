// Seed 000 Q19 / L4(a): inside an I/O callback (poll phase), setImmediate
// (check phase, same iteration) always runs before setTimeout(0) (timers
// phase, next iteration), whatever the order they were scheduled in.
const fs = require('fs');
fs.readFile(__filename, () => {
  console.log('io callback');
  setTimeout(() => console.log('timeout'), 0);
  setImmediate(() => console.log('immediate'));
});

// T6: refresh() re-arms a timer with its original delay counted from now.
// A (300 ms) is refreshed by B at 200 ms, so it fires at 500 ms: after C
// (400 ms), which it would have beaten without the refresh.
const a = setTimeout(() => console.log('timeout A (300 ms, refreshed at 200 ms)'), 300);
setTimeout(() => {
  console.log('timeout B (200 ms): refresh A');
  a.refresh();
}, 200);
setTimeout(() => console.log('timeout C (400 ms)'), 400);

// L4(c): a handle closed during the check phase gets its close callback in
// that iteration's close phase: after the rest of the check phase (and its
// ticks), and before the immediates queued during the check phase (I1).
// Here the handle is a connected TCP socket: destroy() closes its handle and
// 'close' is emitted from the handle's close callback. (A net.Server's
// 'close' would not do: it is emitted from a nextTick inside close().)
// The C program uses a tide_timer_t, whose pending timeout keeps the loop
// alive the way the open socket does.
const net = require('net');
const server = net.createServer();
server.listen(0, '127.0.0.1', () => {
  const socket = net.connect(server.address().port, '127.0.0.1', () => {
    setImmediate(() => {
      console.log('immediate 1: close the handle');
      socket.on('close', () => console.log('close callback'));
      socket.destroy();
      setImmediate(() => {
        console.log('immediate 3 (queued in the check phase)');
        server.close();
      });
      process.nextTick(() => console.log('tick from immediate 1'));
    });
    setImmediate(() => console.log('immediate 2'));
  });
});

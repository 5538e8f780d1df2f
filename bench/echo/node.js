// bench/echo/node.js - the echo server on Node's net module, as a Node
// program writes one: each 'data' chunk written straight back. Announces
// its port like the C servers; bench/echo/run.sh drives it.
'use strict';
const net = require('net');

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('data', (chunk) => socket.write(chunk));
  socket.on('error', () => socket.destroy());
});
server.listen(0, '127.0.0.1', () => {
  console.log(`port ${server.address().port}`);
});

// bench/http/node.js - the HTTP benchmark's server on Node's http module,
// as a Node program writes one at its fastest: status and both headers in
// one writeHead (a known Content-Length, so no chunking), the body in end.
// Node adds Date, Connection and Keep-Alive itself. Idle keep-alive
// connections are kept for a minute, as every server in bench/http/run.sh
// is told to, so the idle-connection count is not cut short by Node's 5 s
// default. Announces "port N" like the C servers.
'use strict';
const http = require('http');

const body = 'Hello, World!';
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 13 });
  res.end(body);
});
server.keepAliveTimeout = 60000;
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  console.log(`port ${server.address().port}`);
});

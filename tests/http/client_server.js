// tests/http/client_server.js - the Node http server test_client_node.c
// talks to. It prints its port on the first line, then serves until its
// stdin closes. /stats reports how many TCP connections it accepted.
const http = require('http');
let connections = 0;
const server = http.createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  const p = u.pathname;
  if (p === '/hello') return res.end('hello');
  if (p === '/stats') return res.end(String(connections));
  if (p === '/echo') {
    const parts = [];
    req.on('data', (c) => parts.push(c));
    req.on('end', () => {
      res.setHeader('x-method', req.method);
      res.setHeader('x-te', req.headers['transfer-encoding'] || '');
      res.setHeader('x-cl', req.headers['content-length'] || '');
      res.setHeader('x-custom', req.headers['x-custom'] || '');
      res.end(Buffer.concat(parts));
    });
    return;
  }
  if (p === '/chunked') {
    res.setHeader('Trailer', 'x-sum');
    res.write('one,');
    res.write('two,');
    res.addTrailers({ 'x-sum': 'three' });
    return res.end('three');
  }
  if (p === '/big') {
    const n = Number(u.searchParams.get('n'));
    return res.end(Buffer.alloc(n, 'a'));
  }
  if (p === '/204') { res.statusCode = 204; return res.end(); }
  if (p === '/304') { res.statusCode = 304; return res.end(); }
  if (p === '/head') { res.setHeader('content-length', '5'); return res.end(req.method === 'HEAD' ? undefined : 'abcde'); }
  if (p.startsWith('/redirect/')) {
    const n = Number(p.slice(10));
    if (n === 0) return res.end('landed');
    res.statusCode = 302;
    res.setHeader('Location', n === 1 ? '/redirect/0' : `/redirect/${n - 1}`);
    return res.end('moved');
  }
  if (p === '/never') return; // no answer: the client times out or aborts
  if (p === '/half') {
    res.setHeader('content-length', '100');
    res.write('partial');
    return setImmediate(() => req.socket.destroy());
  }
  if (p === '/drip') { // body in pieces until the client goes away
    res.write('x'.repeat(1000));
    const t = setInterval(() => res.write('x'.repeat(1000)), 5);
    res.on('close', () => clearInterval(t));
    return;
  }
  res.statusCode = 404;
  res.end('not found');
});
server.on('connection', () => connections++);
server.on('checkContinue', (req, res) => {
  res.writeContinue();
  server.emit('request', req, res);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

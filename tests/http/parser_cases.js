// parser_cases.js - the inputs the parser oracle feeds to Node's HTTP parser
// and to tide's: ordinary messages, and hostile ones (request smuggling,
// obs-fold, bare CR and LF in every place a line ends, chunk extensions
// around Node's 16 KiB cap, bad chunk sizes, header syntax). Every request
// case is also tried after a valid request on the same connection.
'use strict';

const cases = [];
const add = (mode, name, bytes) => cases.push({ mode, name, bytes });
// Where tide is knowingly stricter than Node (llhttp 8.1 cannot parse what
// llhttp 9 can, or Node is lenient): the oracle requires Node to accept and
// tide to reject, so a change on either side shows up.
const stricter = (mode, name, bytes, why) => cases.push({ mode, name, bytes, why });
const req = (name, s) => add('req', name, s);
const res = (name, s) => add('res', name, s);
const rep = (c, n) => c.repeat(n);

// ---- ordinary messages ----
req('get', 'GET / HTTP/1.1\r\nHost: a\r\n\r\n');
req('get-headers', 'GET /path?q=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: x/1\r\n' +
    'Accept: */*\r\nX-Empty:\r\nX-Tab:\tv\t\r\nX-Obs-Text: caf\xe9\r\n\r\n');
req('get-http10', 'GET / HTTP/1.0\r\n\r\n');
req('post-cl', 'POST /f HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello');
req('post-cl0', 'POST /f HTTP/1.1\r\nContent-Length: 0\r\n\r\n');
req('post-chunked', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' +
    '3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n');
req('post-chunked-ext', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' +
    '3;a=b\r\nabc\r\n2;q="x y"\r\nde\r\n0;end\r\n\r\n');
req('post-chunked-trailers', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' +
    '3\r\nabc\r\n0\r\nX-Sum: 1\r\nX-More: two words\r\n\r\n');
req('post-chunked-upper-hex', 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' +
    'a\r\n0123456789\r\nB\r\n0123456789a\r\n000\r\n\r\n');
req('pipelined', 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi' +
    'GET /3 HTTP/1.1\r\n\r\n');
req('partial-headers', 'GET / HTTP/1.1\r\nHost: a\r\n');
req('partial-body', 'POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc');
req('upgrade', 'GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nrest of bytes');
req('connect', 'CONNECT a.b:443 HTTP/1.1\r\nHost: a.b:443\r\n\r\ntunnel');
req('options-star', 'OPTIONS * HTTP/1.1\r\n\r\n');
req('absolute-url', 'GET http://a.b/c?d#e HTTP/1.1\r\n\r\n');
req('many-headers', 'GET / HTTP/1.1\r\n' + Array.from({ length: 40 }, (_, i) => `H${i}: v${i}\r\n`).join('') + '\r\n');
req('long-value', 'GET / HTTP/1.1\r\nX: ' + rep('v', 8000) + '\r\n\r\n');
req('connection-close-then-data', 'GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n');
req('te-chunked-case', 'POST / HTTP/1.1\r\nTransfer-Encoding: CHUNKED\r\n\r\n1\r\na\r\n0\r\n\r\n');
req('te-gzip-chunked', 'POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n1\r\na\r\n0\r\n\r\n');
req('head-req', 'HEAD / HTTP/1.1\r\n\r\n');
req('colon-in-value', 'GET / HTTP/1.1\r\nX: a:b: c\r\n\r\n');
req('value-trailing-ws', 'GET / HTTP/1.1\r\nX: a \t \r\n\r\n');
req('value-leading-ws', 'GET / HTTP/1.1\r\nX:  \t a\r\n\r\n');

res('res-cl', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi');
res('res-chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nT: 1\r\n\r\n');
res('res-204', 'HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
res('res-304', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n');
res('res-eof-body', 'HTTP/1.1 200 OK\r\n\r\nbody until close');
res('res-no-reason', 'HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n');
res('res-empty-reason', 'HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n');
res('res-http10', 'HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx');
res('res-100-continue', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx');
res('res-te-gzip', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw until close');
res('res-204-cl', 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
res('res-304-te', 'HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
res('res-304-cl-next', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
res('res-102-cl', 'HTTP/1.1 102 Processing\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
res('res-200-two-spaces-reason', 'HTTP/1.1 200  OK\r\nContent-Length: 0\r\n\r\n');
res('res-200-tab-reason', 'HTTP/1.1 200\tOK\r\nContent-Length: 0\r\n\r\n');
res('res-pipelined', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');

// ---- obs-fold: a header line that starts with SP or HT ----
for (const [tag, ws] of [['sp', ' '], ['ht', '\t']]) {
    req(`obs-fold-${tag}`, `GET / HTTP/1.1\r\nX: a\r\n${ws}b\r\n\r\n`);
    req(`obs-fold-${tag}-first`, `GET / HTTP/1.1\r\n${ws}X: a\r\n\r\n`);
    req(`obs-fold-${tag}-host`, `GET / HTTP/1.1\r\nHost: a\r\n${ws}evil\r\n\r\n`);
    req(`obs-fold-${tag}-empty-value`, `GET / HTTP/1.1\r\nX:\r\n${ws}b\r\n\r\n`);
    req(`obs-fold-${tag}-te`, `POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n${ws}chunked\r\n\r\n0\r\n\r\n`);
    req(`obs-fold-${tag}-trailer`, 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `1\r\na\r\n0\r\nT: 1\r\n${ws}more\r\n\r\n`);
    req(`obs-fold-${tag}-trailer-first`, 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `1\r\na\r\n0\r\n${ws}T: 1\r\n\r\n`);
    res(`res-obs-fold-${tag}`, `HTTP/1.1 200 OK\r\nX: a\r\n${ws}b\r\nContent-Length: 0\r\n\r\n`);
    req(`ws-only-line-${tag}`, `GET / HTTP/1.1\r\nX: a\r\n${ws}\r\n\r\n`);
}

// ---- bare CR and bare LF wherever a line ends or could end ----
const lineEnds = { lf: '\n', cr: '\r', crcr: '\r\r', lfcr: '\n\r' };
for (const [tag, e] of Object.entries(lineEnds)) {
    req(`${tag}-after-request-line`, `GET / HTTP/1.1${e}Host: a\r\n\r\n`);
    req(`${tag}-after-header`, `GET / HTTP/1.1\r\nHost: a${e}X: b\r\n\r\n`);
    req(`${tag}-as-blank-line`, `GET / HTTP/1.1\r\nHost: a\r\n${e}`);
    req(`${tag}-in-value`, `GET / HTTP/1.1\r\nX: a${e}b\r\n\r\n`);
    req(`${tag}-in-name`, `GET / HTTP/1.1\r\nX${e}Y: b\r\n\r\n`);
    req(`${tag}-in-url`, `GET /a${e}b HTTP/1.1\r\n\r\n`);
    req(`${tag}-after-chunk-size`, 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `3${e}abc\r\n0\r\n\r\n`);
    req(`${tag}-after-chunk-ext`, 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `3;x=y${e}abc\r\n0\r\n\r\n`);
    req(`${tag}-after-chunk-data`, 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `3\r\nabc${e}0\r\n\r\n`);
    req(`${tag}-after-last-chunk`, 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `3\r\nabc\r\n0${e}\r\n`);
    req(`${tag}-ending-trailers`, 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `3\r\nabc\r\n0\r\n${e}`);
    req(`${tag}-after-trailer`, 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `3\r\nabc\r\n0\r\nT: 1${e}\r\n`);
    req(`${tag}-in-trailer-value`, 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `3\r\nabc\r\n0\r\nT: 1${e}2\r\n\r\n`);
    if (tag === 'crcr') /* Node takes the first CR into the reason phrase */
        stricter('res', `res-${tag}-after-status-line`, `HTTP/1.1 200 OK${e}Content-Length: 0\r\n\r\n`,
            'a bare CR is rejected everywhere, also at the end of a reason phrase');
    else
        res(`res-${tag}-after-status-line`, `HTTP/1.1 200 OK${e}Content-Length: 0\r\n\r\n`);
    res(`res-${tag}-in-reason`, `HTTP/1.1 200 O${e}K\r\nContent-Length: 0\r\n\r\n`);
    res(`res-${tag}-after-header`, `HTTP/1.1 200 OK\r\nContent-Length: 0${e}\r\n`);
    res(`res-${tag}-after-chunk-data`, 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
        `2\r\nhi${e}0\r\n\r\n`);
}
req('crlf-lf-terminator', 'GET / HTTP/1.1\r\nHost: a\r\n\n');
req('lf-lf-terminator', 'GET / HTTP/1.1\nHost: a\n\n');
req('cr-lf-lf', 'GET / HTTP/1.1\r\nHost: a\r\n\nGET / HTTP/1.1\r\n\r\n');
req('crlf-cr-terminator', 'GET / HTTP/1.1\r\nHost: a\r\n\r');
req('smuggle-lf-cl', 'POST / HTTP/1.1\r\nHost: a\nContent-Length: 5\r\n\r\nhello');
req('smuggle-lf-te', 'POST / HTTP/1.1\r\nX: a\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n');

// ---- leading empty lines before a request ----
req('leading-crlf', '\r\nGET / HTTP/1.1\r\n\r\n');
req('leading-2crlf', '\r\n\r\nGET / HTTP/1.1\r\n\r\n');
req('leading-lf', '\nGET / HTTP/1.1\r\n\r\n');
req('leading-cr', '\rGET / HTTP/1.1\r\n\r\n');
req('crlf-between-requests', 'GET / HTTP/1.1\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n');
req('leading-space', ' GET / HTTP/1.1\r\n\r\n');

// ---- chunk extensions around the 16 KiB cap ----
const chunked = (body) => 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n' + body;
for (const n of [16381, 16382, 16383, 16384, 16385, 16386, 20000]) {
    req(`chunk-ext-name-${n}`, chunked(`1;${rep('n', n)}\r\na\r\n0\r\n\r\n`));
    req(`chunk-ext-pair-${n}`, chunked(`1;n=${rep('v', n)}\r\na\r\n0\r\n\r\n`));
    req(`chunk-ext-last-${n}`, chunked(`1\r\na\r\n0;${rep('n', n)}\r\n\r\n`));
}
req('chunk-ext-quoted-16385', chunked(`1;n="${rep('q', 16385)}"\r\na\r\n0\r\n\r\n`));
for (const n of [2, 3]) {
    req(`chunk-ext-9000-x${n}`, chunked(rep(`1;${rep('n', 9000)}\r\na\r\n`, n) + '0\r\n\r\n'));
}
req('chunk-ext-6000-x3-last', chunked(rep(`1;${rep('n', 6000)}\r\na\r\n`, 2) + `0;${rep('n', 6000)}\r\n\r\n`));
req('chunk-ext-9000-two-messages', chunked(`1;${rep('n', 9000)}\r\na\r\n0\r\n\r\n`) +
    chunked(`1;${rep('n', 9000)}\r\na\r\n0\r\n\r\n`));
req('chunk-ext-many-small', chunked(rep('1;a=b\r\nx\r\n', 3000) + '0\r\n\r\n'));
req('chunk-ext-quoted', chunked('1;a="b"\r\nx\r\n0\r\n\r\n'));
req('chunk-ext-quoted-space', chunked('1;a="b c"\r\nx\r\n0\r\n\r\n'));
req('chunk-ext-quoted-semicolon', chunked('1;a="b;c"\r\nx\r\n0\r\n\r\n'));
req('chunk-ext-quoted-then-more', chunked('1;a="b";c=d\r\nx\r\n0\r\n\r\n'));
for (const n of [16380, 16381, 16382, 16383])
    req(`chunk-ext-quoted-${n}`, chunked(`1;n="${rep('q', n)}"\r\na\r\n0\r\n\r\n`));
req('chunk-ext-9000-then-last-9000', chunked(`1;${rep('n', 9000)}\r\na\r\n0;${rep('n', 9000)}\r\n\r\n`));
req('chunk-ext-many-pairs-16385', chunked(`1${rep(';ab=cd', 4096)};x\r\na\r\n0\r\n\r\n`));
req('chunk-ext-many-names-16384', chunked(`1${rep(';abcd', 4096)}\r\na\r\n0\r\n\r\n`));
req('chunk-ext-many-names-16385', chunked(`1${rep(';abcd', 4096)};x\r\na\r\n0\r\n\r\n`));
stricter('req', 'chunk-ext-value-then-ext', chunked('1;a=b;c=d\r\nx\r\n0\r\n\r\n'),
    'llhttp 8.1 fails on a second extension after an unquoted value');
req('chunk-ext-bad-char', chunked('1;a b\r\nx\r\n0\r\n\r\n'));
req('chunk-ext-empty-name', chunked('1;\r\nx\r\n0\r\n\r\n'));
req('chunk-ext-empty-value', chunked('1;a=\r\nx\r\n0\r\n\r\n'));
req('chunk-ext-space-before', chunked('1 ;a\r\nx\r\n0\r\n\r\n'));
req('chunk-ext-space-after', chunked('1; a\r\nx\r\n0\r\n\r\n'));
req('chunk-ext-quoted-crlf', chunked('1;a="b\r\nc"\r\nx\r\n0\r\n\r\n'));
stricter('req', 'chunk-ext-quoted-escape', chunked('1;a="b\\"c"\r\nx\r\n0\r\n\r\n'),
    'llhttp 8.1 has no quoted-pair in quoted chunk-extension values');
req('chunk-ext-nul', chunked('1;a\x00\r\nx\r\n0\r\n\r\n'));

// ---- chunk sizes ----
for (const [tag, size] of [['g', 'g'], ['neg', '-1'], ['0x', '0x1'], ['lead-sp', ' 1'], ['trail-sp', '1 '],
    ['trail-tab', '1\t'], ['plus', '+1'], ['empty', ''], ['16f', 'ffffffffffffffff'],
    ['17f', '1ffffffffffffffff'], ['long-zeros', rep('0', 40) + '1'], ['f-overflow', 'fffffffffffffffff0']]) {
    req(`chunk-size-${tag}`, chunked(`${size}\r\na\r\n0\r\n\r\n`));
}
req('chunk-data-too-long', chunked('1\r\nab\r\n0\r\n\r\n'));
req('chunk-data-no-crlf', chunked('1\r\nab0\r\n\r\n'));

// ---- framing headers: Content-Length and Transfer-Encoding ----
const post = (hdrs, body) => `POST / HTTP/1.1\r\n${hdrs}\r\n${body}`;
req('cl-te', post('Content-Length: 3\r\nTransfer-Encoding: chunked\r\n', '0\r\n\r\n'));
req('te-cl', post('Transfer-Encoding: chunked\r\nContent-Length: 3\r\n', '0\r\n\r\n'));
req('cl-dup-same', post('Content-Length: 3\r\nContent-Length: 3\r\n', 'abc'));
req('cl-dup-diff', post('Content-Length: 3\r\nContent-Length: 4\r\n', 'abcd'));
req('cl-list-same', post('Content-Length: 3, 3\r\n', 'abc'));
req('cl-plus', post('Content-Length: +3\r\n', 'abc'));
req('cl-neg', post('Content-Length: -3\r\n', 'abc'));
req('cl-hex', post('Content-Length: 0x3\r\n', 'abc'));
req('cl-space-inside', post('Content-Length: 1 2\r\n', 'abc'));
req('cl-trailing-sp', post('Content-Length: 3 \r\n', 'abc'));
req('cl-empty', post('Content-Length:\r\n', ''));
req('cl-huge', post('Content-Length: 99999999999999999999\r\n', ''));
req('cl-max', post('Content-Length: 18446744073709551615\r\n', 'a'));
req('te-gzip-request', post('Transfer-Encoding: gzip\r\n', 'abc'));
req('te-chunked-gzip-request', post('Transfer-Encoding: chunked, gzip\r\n', '1\r\na\r\n0\r\n\r\n'));
req('te-chunked-twice', post('Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n', '1\r\na\r\n0\r\n\r\n'));
req('te-chunked-list-twice', post('Transfer-Encoding: chunked, chunked\r\n', '1\r\na\r\n0\r\n\r\n'));
req('te-gzip-then-chunked-hdr', post('Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n', '1\r\na\r\n0\r\n\r\n'));
req('te-chunked-then-gzip-hdr', post('Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n', '1\r\na\r\n0\r\n\r\n'));
req('te-chunked-sp', post('Transfer-Encoding: chunked \r\n', '1\r\na\r\n0\r\n\r\n'));
req('te-xchunked', post('Transfer-Encoding: xchunked\r\n', '1\r\na\r\n0\r\n\r\n'));
req('te-chunked-semicolon', post('Transfer-Encoding: chunked;q=1\r\n', '1\r\na\r\n0\r\n\r\n'));
req('te-identity', post('Transfer-Encoding: identity\r\n', ''));
req('te-empty', post('Transfer-Encoding:\r\n', ''));
req('te-vertical-tab', post('Transfer-Encoding:\x0bchunked\r\n', '1\r\na\r\n0\r\n\r\n'));
req('te-http10', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n');
req('te-http10-cl', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n1\r\na\r\n0\r\n\r\n');
req('te-get', 'GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
res('res-cl-te', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
res('res-cl-dup-diff', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab');
res('res-te-chunked-gzip', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nabc');
res('res-http10-chunked', 'HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n');

// ---- header names and values ----
for (const [tag, line] of [['space-before-colon', 'Host : a'], ['tab-before-colon', 'Host\t: a'],
    ['space-in-name', 'X Y: a'], ['paren-in-name', 'X(: a'], ['at-in-name', 'X@: a'],
    ['nul-in-name', 'X\x00Y: a'], ['high-in-name', 'X\xe9: a'], ['empty-name', ': a'],
    ['no-colon', 'NoColon'], ['nul-in-value', 'X: a\x00b'], ['ctl-in-value', 'X: a\x01b'],
    ['del-in-value', 'X: a\x7fb'], ['high-in-value', 'X: a\xffb'], ['vt-in-value', 'X: a\x0bb'],
    ['ff-in-value', 'X: a\x0cb'], ['esc-in-value', 'X: a\x1bb'], ['tab-in-value', 'X: a\tb'],
    ['quote-in-name', 'X"Y: a'], ['slash-in-name', 'X/Y: a'], ['tilde-in-name', 'X~Y: a'],
    ['cl-space-before-colon', 'Content-Length : 0'], ['te-space-before-colon', 'Transfer-Encoding : chunked']]) {
    req(`hdr-${tag}`, `GET / HTTP/1.1\r\n${line}\r\n\r\n`);
}
res('res-nul-in-value', 'HTTP/1.1 200 OK\r\nX: a\x00b\r\nContent-Length: 0\r\n\r\n');
res('res-space-before-colon', 'HTTP/1.1 200 OK\r\nX : a\r\nContent-Length: 0\r\n\r\n');

// ---- request and status lines ----
for (const [tag, line] of [['long-method', rep('G', 64) + ' / HTTP/1.1'], ['unknown-method', 'FOO / HTTP/1.1'],
    ['lower-method', 'get / HTTP/1.1'], ['method-prefix', 'GETX / HTTP/1.1'], ['nul-method', 'G\x00T / HTTP/1.1'],
    ['nul-url', 'GET /\x00 HTTP/1.1'], ['tab-url', 'GET /\t HTTP/1.1'], ['high-url', 'GET /\xe9 HTTP/1.1'],
    ['del-url', 'GET /\x7f HTTP/1.1'], ['double-space', 'GET  / HTTP/1.1'], ['trailing-space', 'GET / HTTP/1.1 '],
    ['no-version', 'GET /'], ['http09', 'GET / HTTP/0.9'], ['http12', 'GET / HTTP/1.2'], ['http20', 'GET / HTTP/2.0'],
    ['http3', 'GET / HTTP/3.0'], ['version-lower', 'GET / http/1.1'], ['version-2digit', 'GET / HTTP/1.10'],
    ['empty-url', 'GET  HTTP/1.1'], ['pri', 'PRI * HTTP/2.0'], ['source', 'SOURCE / HTTP/1.1'],
    ['propfind', 'PROPFIND / HTTP/1.1'], ['purge', 'PURGE / HTTP/1.1']]) {
    req(`line-${tag}`, `${line}\r\nHost: a\r\n\r\n`);
}
stricter('req', 'line-query-method', 'QUERY / HTTP/1.1\r\nHost: a\r\n\r\n', 'llhttp 8.1 does not know the QUERY method');
for (const [tag, line] of [['status-2digit', 'HTTP/1.1 20 OK'], ['status-4digit', 'HTTP/1.1 2000 OK'],
    ['status-letters', 'HTTP/1.1 abc OK'], ['status-ctl-reason', 'HTTP/1.1 200 O\x01K'],
    ['status-nul-reason', 'HTTP/1.1 200 O\x00K'], ['status-099', 'HTTP/1.1 099 X'], ['status-999', 'HTTP/1.1 999 X'],
    ['status-http09', 'HTTP/0.9 200 OK'], ['status-http2', 'HTTP/2 200 OK'], ['status-lower', 'http/1.1 200 OK'],
    ['status-tab', 'HTTP/1.1\t200 OK'], ['status-double-space', 'HTTP/1.1  200 OK']]) {
    res(`line-${tag}`, `${line}\r\nContent-Length: 0\r\n\r\n`);
}

// Every request case once more after a valid request on the same connection,
// so the guard's state must carry over from one message to the next.
const valid = 'GET /first HTTP/1.1\r\nHost: a\r\n\r\n';
for (const c of cases.slice()) {
    if (c.mode === 'req' && c.bytes.length < 12000)
        cases.push({ ...c, name: `after-valid/${c.name}`, bytes: valid + c.bytes });
}

module.exports = cases;

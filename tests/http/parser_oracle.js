// parser_oracle.js CASEFILE - Node's side of the parser oracle: writes every
// case of parser_cases.js to CASEFILE (for tide's side, parser_oracle.c) and
// prints what Node's own HTTP parser (llhttp inside Node, driven the way its
// HTTP server and client drive it) makes of each: the messages it completes
// (start line, headers, body, trailers) and whether it accepts the bytes.
// Run with --expose-internals. With ORACLE_CODES=1 errors carry Node's code.
'use strict';
const fs = require('fs');
const { HTTPParser, methods } = require('_http_common');
const cases = require('./parser_cases.js');

// Bytes as text both sides print alike: printable ASCII kept, the rest \xHH.
function esc(buf) {
    let s = '';
    for (const b of buf) s += (b > 0x20 && b < 0x7f && b !== 0x5c) ? String.fromCharCode(b) : '\\x' + b.toString(16).padStart(2, '0');
    return s;
}
const trimValue = (v) => v.replace(/[ \t]+$/, '');

function run(mode, bytes) {
    const out = [];
    const p = new HTTPParser();
    p.initialize(mode === 'req' ? HTTPParser.REQUEST : HTTPParser.RESPONSE, {}, 0, HTTPParser.kLenientNone);
    let pending = [], body = [], headersDone = false, upgrade = false, urlSoFar = '';
    const flushHeaders = (tag) => {
        for (let i = 0; i < pending.length; i += 2)
            out.push(`${tag} ${esc(Buffer.from(pending[i], 'latin1'))}: ${esc(Buffer.from(trimValue(pending[i + 1]), 'latin1'))}`);
        pending = [];
    };
    p[HTTPParser.kOnMessageBegin] = () => { headersDone = false; body = []; pending = []; urlSoFar = ''; };
    // Headers that do not fit one batch arrive early, with the URL so far.
    p[HTTPParser.kOnHeaders] = (h, url) => { pending.push(...h); if (!headersDone && url) urlSoFar += url; };
    p[HTTPParser.kOnHeadersComplete] = (maj, min, h, method, url, status, reason, upg) => {
        if (h) pending.push(...h);
        if (url) urlSoFar += url;
        if (mode === 'req') out.push(`msg ${methods[method]} ${esc(Buffer.from(urlSoFar, 'latin1'))} ${maj}.${min}`);
        else out.push(`msg ${status} ${maj}.${min}`);
        flushHeaders('h');
        headersDone = true;
        upgrade = upg;
        return 0;
    };
    p[HTTPParser.kOnBody] = (b) => { body.push(Buffer.from(b)); };
    p[HTTPParser.kOnMessageComplete] = () => {
        const all = Buffer.concat(body);
        if (all.length) out.push(`body ${all.length} ${esc(all)}`);
        flushHeaders('t');
        out.push('done');
        body = [];
    };
    const buf = Buffer.from(bytes, 'latin1');
    const r = p.execute(buf);
    const codes = process.env.ORACLE_CODES === '1';
    if (r instanceof Error) {
        out.push(codes ? `error ${r.code} ${r.reason}` : 'error');
    } else if (upgrade && headersDone) {
        out.push(`upgrade ${buf.length - r}`);
    } else {
        const f = p.finish();
        out.push(f instanceof Error ? (codes ? `finish error ${f.code}` : 'finish error') : 'finish ok');
    }
    p.close();
    return out;
}

// A case marked stricter (see parser_cases.js) prints the agreed line only
// while Node accepts it; tide's side prints it only when tide rejects.
const KNOWN = 'known difference: tide rejects, Node accepts';
const file = process.argv[2];
const chunks = [];
for (const c of cases) {
    const b = Buffer.from(c.bytes, 'latin1');
    const mode = c.why ? c.mode + '!' : c.mode;
    chunks.push(Buffer.from(`${mode} ${b.length} ${c.name}\n`, 'latin1'), b, Buffer.from('\n'));
    let lines = run(c.mode, b);
    if (c.why && /^(finish ok|upgrade)/.test(lines[lines.length - 1]))
        lines = [KNOWN];
    process.stdout.write(`case ${c.mode} ${c.name}\n` + lines.join('\n') + '\n');
}
if (file) fs.writeFileSync(file, Buffer.concat(chunks));

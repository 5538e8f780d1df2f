// seed_http_parser.js - writes the parser oracle's cases (short ones) as
// seeds for fuzz_http_parser into fuzz/corpus/http_parser/: a flags byte
// (response, owner pauses), two split-seed bytes, then the case's bytes.
'use strict';
const fs = require('fs');
const path = require('path');
const cases = require('../tests/http/parser_cases.js');
const dir = path.join(__dirname, 'corpus', 'http_parser');
fs.mkdirSync(dir, { recursive: true });
let i = 0;
for (const c of cases) {
    const body = Buffer.from(c.bytes, 'latin1');
    if (body.length > 1500 || c.name.startsWith('after-valid/'))
        continue;
    const flags = (c.mode === 'res' ? 1 : 0) | (i % 2 ? 2 : 0);
    const head = Buffer.from([flags, (i * 37) & 0xff, (i * 101) & 0xff]);
    fs.writeFileSync(path.join(dir, 'seed-' + c.name.replace(/[^A-Za-z0-9_-]/g, '_')), Buffer.concat([head, body]));
    i++;
}
console.log(`${i} seeds in ${dir}`);

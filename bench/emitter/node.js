// emitter, Node: emit-3-listeners as in tide.c - N emits of one event with
// one argument to three listeners, each adding it to its own counter; a
// warm-up round first, untimed, so V8 has optimised emit and the listeners.
'use strict';
const EventEmitter = require('events');
const { env, result, check, wallNs } = require('../common/bench.js');

const n = env('BENCH_EMITS', 10000000);
const em = new EventEmitter();
let a = 0, b = 0, c = 0;
em.on('tick', (v) => { a += v; });
em.on('tick', (v) => { b += v; });
em.on('tick', (v) => { c += v; });

const warm = Math.floor(n / 10);
for (let i = 0; i < warm; i++) em.emit('tick', 1);
const t0 = wallNs();
for (let i = 0; i < n; i++) em.emit('tick', 1);
const t1 = wallNs();
check(a + b + c === 3 * (n + warm), 'listeners missed emits');
result('emit-3-listeners', 'node', Number(t1 - t0) / n, 'ns/op');

// tests/model/emitter_model.js - random emitter programs, the Node side of
// the differential test: for each seed, build and run the program
// emitter_model.c runs from the same random draws, and print the same
// lines. One function object stands for each (fn, data) identity of the C
// side, so off finds what tide_off finds.
'use strict';
const EventEmitter = require('events');
const { log, rnd, runSeeds, seedRnd } = require('./model.js');

const EV_ERROR = 3, EV_MONITOR = 4, EV_NEW = 5, EV_REMOVE = 6;
const evNames = ['a', 'b', 'c', 'error', 'errorMonitor', 'newListener', 'removeListener'];
const evKeys = ['a', 'b', 'c', 'error', EventEmitter.errorMonitor, 'newListener', 'removeListener'];
const evIndex = (key) => evKeys.indexOf(key);
const NEV = evNames.length;
// emitters, identities for ordinary events, all identities, how deep
// listeners act, what one top-level operation may make them do, how many
// listeners they may add in a program
const NE = 3, NL = 6, NID = NL + 4, MAX_DEPTH = 4, WORK = 24, ADDS = 40;
const idNames = ['L0', 'L1', 'L2', 'L3', 'L4', 'L5', 'N0', 'N1', 'R0', 'R1'];
const modeNames = ['on', 'once', 'prepend', 'prependOnce'];
const modeMethods = ['on', 'once', 'prependListener', 'prependOnceListener'];

const acts = [];
let E = [];
let depth = 0, work = 0, adds = 0;

// The identity registered for event ev by pool index who.
function identity(ev, who) {
  if (ev === EV_NEW) return NL + who % 2;
  if (ev === EV_REMOVE) return NL + 2 + who % 2;
  return who % NL;
}
// Events that may be emitted: a, b, c and error.
const emittable = (ev) => (ev > EV_ERROR ? ev - EV_MONITOR : ev);

function drawAction() {
  // 0-2 nothing, 3-4 emit, 5 off, 6 add, 7 removeAll, 8 fail, 9 count, 10 names
  const kinds = ['none', 'none', 'none', 'emit', 'emit', 'off', 'add', 'removeAll', 'fail', 'count', 'names'];
  const a = {};
  a.kind = kinds[rnd(11)];
  a.em = rnd(2) ? -1 : rnd(NE);
  a.ev = rnd(2) ? -1 : rnd(NEV);
  a.who = rnd(NL);
  a.mode = rnd(4);
  a.value = rnd(10);
  a.catch = rnd(2);
  return a;
}

// ---- what the programs leave alone
//
// Two things Node does that tide does not, kept out of the programs so that
// everything else can be compared (emitter_model.c says more):
// 1. removeAllListeners(event) walks the live listener array of the event,
//    so the removeListener listeners it calls, and everything they cause,
//    leave the event being cleared alone (no change, no emit, direct or
//    through errorMonitor or newListener); no once listener is added to
//    removeListener while a removeAllListeners of its emitter runs; and
//    removeListener is not cleared while it has once listeners. clearing is
//    the innermost call when that call is a removeAllListeners (its
//    [emitter, event], -1 for every event); guarded holds the [emitter,
//    event] pairs being cleared.
// 2. emit('error') looks 'error' up, after the errorMonitor listeners, in
//    the listener table it read before them. So while 'error' is emitted on
//    an emitter, listeners remove no 'error' listener of it and do not emit
//    'error' on it again.
let clearing = null;
const guarded = [];
const erroring = [];
// ev -1: any event
const isGuarded = (t, ev) => guarded.some(([g, gev]) => g === t && (ev < 0 || gev === ev));
const isErroring = (t) => erroring.includes(t);
const onceRemoveListeners = (t) => E[t].rawListeners('removeListener').some((f) => f.listener !== undefined);
const mayEmit = (t, ev) => !isGuarded(t, ev) && !(ev === EV_ERROR && (isGuarded(t, EV_MONITOR) || isErroring(t)));
const mayOff = (t, ev) => !isGuarded(t, ev) && !(ev === EV_ERROR && isErroring(t));
const mayAdd = (t, ev, mode) => !isGuarded(t, ev) && !isGuarded(t, EV_NEW) &&
  !(ev === EV_REMOVE && (mode & 1) && isGuarded(t, -1));
// ev -1: every event
function mayClear(t, ev) {
  if ((ev < 0 || ev === EV_REMOVE) && onceRemoveListeners(t)) return false;
  if (ev < 0) return !isGuarded(t, -1) && !isErroring(t);
  return mayOff(t, ev);
}

// The calls the program makes. Each sets clearing for what it calls.
function call(c, f) {
  const saved = clearing;
  clearing = c;
  try {
    return f();
  } finally {
    clearing = saved;
  }
}
const add = (mode, t, ev, k) => call(null, () => E[t][modeMethods[mode]](evKeys[ev], fns[k]));
const off = (t, ev, k) => call(null, () => E[t].off(evKeys[ev], fns[k]));
// ev -1: every event
const removeAll = (t, ev) => call([t, ev], () => (ev < 0 ? E[t].removeAllListeners() : E[t].removeAllListeners(evKeys[ev])));
// error carries an Error whose code gives the value back.
const emitValue = (t, ev, value) => call(null, () => {
  if (ev !== EV_ERROR) return E[t].emit(evKeys[ev], value, ev) ? 1 : 0;
  const err = new Error('e');
  err.code = -(1000 + value);
  erroring.push(t);
  try {
    return E[t].emit('error', err) ? 1 : 0;
  } finally {
    erroring.pop();
  }
});

const fail = (code) => ({ code });
const codeOf = (x) => {
  if (x === null || typeof x !== 'object' || typeof x.code !== 'number') throw x;
  return x.code;
};

const names = (t) => E[t].eventNames().map((key) => evNames[evIndex(key)]).join(',');
const nameOf = (f) => idNames[fns.indexOf(f)] ?? '?';

function act(k, e, cur) {
  const a = acts[k];
  const me = idNames[k];
  const t = a.em < 0 ? e : a.em;
  let ev = a.ev < 0 ? cur : a.ev;
  switch (a.kind) {
    case 'none': return;
    case 'fail': log(me + ' fails'); throw fail(-(100 + k));
    case 'count': log(`${me} count e${t} ${evNames[ev]} ${E[t].listenerCount(evKeys[ev])}`); return;
    case 'names': log(`${me} names e${t} ${names(t)}`); return;
  }
  if (depth > MAX_DEPTH || work === 0) return;
  work--;
  const w = identity(ev, a.who);
  try {
    switch (a.kind) {
      case 'emit': {
        ev = emittable(ev);
        if (ev === EV_ERROR && E[t].listenerCount('error') === 0) return;
        if (!mayEmit(t, ev)) return;
        log(`${me} emit e${t} ${evNames[ev]} ${a.value}`);
        const r = emitValue(t, ev, a.value);
        log(`${me} = ${r}`);
        break;
      }
      case 'off':
        if (!mayOff(t, ev)) return;
        log(`${me} off e${t} ${evNames[ev]} ${idNames[w]}`);
        off(t, ev, w);
        break;
      case 'add':
        if (adds === 0 || !mayAdd(t, ev, a.mode)) return;
        adds--;
        log(`${me} ${modeNames[a.mode]} e${t} ${evNames[ev]} ${idNames[w]}`);
        add(a.mode, t, ev, w);
        break;
      case 'removeAll':
        if (a.mode & 1) ev = -1;
        if (!mayClear(t, ev)) return;
        log(ev < 0 ? `${me} removeAll e${t}` : `${me} removeAll e${t} ${evNames[ev]}`);
        removeAll(t, ev);
        break;
    }
  } catch (x) {
    const code = codeOf(x);
    if (!a.catch) throw x;
    log(`${me} caught ${code}`);
  }
}

// One function per identity. Ordinary events pass (value, event index),
// error passes an Error; N and R get (event, listener). removeListener may
// be handed a once wrapper instead of the function (Node does so when
// removeAllListeners, or a once listener firing, removes it from an array
// of two or more); tide gives the function, and so does the wrapper's
// .listener, which is what is printed.
const fns = idNames.map((name, k) => function (x, y) {
  const e = E.indexOf(this);
  let cur;
  if (k >= NL) {
    cur = evIndex(x);
    const fn = y.listener || y;
    log(`${name} e${e} ${evNames[cur]} ${nameOf(fn)} ${this.listenerCount(x)}`);
  } else if (x instanceof Error) {
    cur = EV_ERROR;
    log(`${name} e${e} error ${-x.code - 1000}`);
  } else {
    cur = y;
    log(`${name} e${e} ${evNames[cur]} ${x}`);
  }
  const guard = k >= NL + 2 && clearing !== null && clearing[0] === e;
  if (guard) guarded.push([e, clearing[1] < 0 ? cur : clearing[1]]);
  depth++;
  try {
    act(k, e, cur);
  } finally {
    depth--;
    if (guard) guarded.pop();
  }
});

process.on('warning', (w) => {
  if (w.name === 'MaxListenersExceededWarning') log(`warning e${E.indexOf(w.emitter)} ${evNames[evIndex(w.type)]} ${w.count}`);
});

function run(seed) {
  seedRnd(seed);
  for (let k = 0; k < NID; k++) acts[k] = drawAction();
  E = [];
  const limits = [0, 1, 2, 3, 10];
  for (let i = 0; i < NE; i++) {
    E.push(new EventEmitter());
    E[i].setMaxListeners(limits[rnd(5)]);
  }
  adds = ADDS;
  const ops = 5 + rnd(30);
  for (let i = 0; i < ops; i++) {
    const kind = rnd(16);
    const t = rnd(NE);
    let ev = rnd(NEV);
    const k = identity(ev, rnd(NL));
    const value = rnd(10);
    work = WORK;
    try {
      if (kind < 6) {
        // 0-2 on, 3 once, 4 prepend, 5 prependOnce
        const mode = kind < 3 ? 0 : kind - 2;
        acts[k] = drawAction();
        log(`e${t} ${modeNames[mode]} ${evNames[ev]} ${idNames[k]}`);
        add(mode, t, ev, k);
      } else if (kind < 8) {
        log(`e${t} off ${evNames[ev]} ${idNames[k]}`);
        off(t, ev, k);
      } else if (kind < 10) {
        if (kind === 9) ev = -1;
        if (!mayClear(t, ev)) continue;
        log(ev < 0 ? `e${t} removeAll` : `e${t} removeAll ${evNames[ev]}`);
        removeAll(t, ev);
      } else if (kind < 14) {
        ev = emittable(ev);
        if (ev === EV_ERROR && E[t].listenerCount('error') === 0) ev = 0;
        log(`e${t} emit ${evNames[ev]} ${value}`);
        log(`= ${emitValue(t, ev, value)}`);
      } else if (kind === 14) {
        log(`e${t} count ${evNames[ev]} ${E[t].listenerCount(evKeys[ev])}`);
        log(`e${t} listeners ${evNames[ev]} ${E[t].listeners(evKeys[ev]).map(nameOf).join(',')}`);
      } else {
        log(`e${t} names ${names(t)}`);
      }
    } catch (x) {
      log(`threw ${codeOf(x)}`);
    }
  }
}

// The warnings come from nextTicks, before the immediate that starts the
// next program.
runSeeds(run, setImmediate);

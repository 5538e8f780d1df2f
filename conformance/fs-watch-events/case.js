// fs.watch on Linux: what each operation reports to a watched directory, to
// a watched file that is deleted, to one that is moved, and to a watched
// directory that is removed. Each part ends by creating a marker file and
// waits for its event, so nothing waits on time.
const fs = require('fs');
const path = require('path');
const os = require('os');

const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
const dir = fs.mkdtempSync(path.join(base, 'fs-watch-events-'));
const at = (name) => path.join(dir, name);

// Watch each [label, path]; print every event until `label` sees `marker`,
// then close them all and go on.
function part(watches, until, marker, next) {
  const watchers = watches.map(([label, p]) =>
    fs.watch(p, (type, name) => {
      if (label === until && name === marker) {
        watchers.forEach((w) => w.close());
        next();
        return;
      }
      console.log(label, type, name);
    }));
}

function directory() {
  console.log('-- directory');
  part([['dir', dir]], 'dir', 'end1', file);
  fs.writeFileSync(at('a'), 'x');
  fs.appendFileSync(at('a'), 'y');
  fs.renameSync(at('a'), at('b'));
  fs.unlinkSync(at('b'));
  fs.mkdirSync(at('sub'));
  fs.writeFileSync(at('sub/z'), 'q');
  fs.chmodSync(at('sub'), 0o700);
  fs.writeFileSync(at('end1'), '');
}

function file() {
  console.log('-- file deleted, file moved');
  fs.writeFileSync(at('f'), '1');
  fs.writeFileSync(at('m'), '1');
  part([['f', at('f')], ['m', at('m')], ['dir', dir]], 'dir', 'end2', removed);
  fs.appendFileSync(at('f'), '2');
  fs.unlinkSync(at('f'));
  fs.renameSync(at('m'), at('m2'));
  fs.appendFileSync(at('m2'), 'z');
  fs.writeFileSync(at('f'), '3');
  fs.writeFileSync(at('end2'), '');
}

function removed() {
  console.log('-- directory removed');
  fs.mkdirSync(at('gone'));
  fs.writeFileSync(at('gone/z'), 'q');
  part([['gone', at('gone')], ['dir', dir]], 'dir', 'end3', () => {
    fs.rmSync(dir, { recursive: true });
    console.log('done');
  });
  fs.unlinkSync(at('gone/z'));
  fs.rmdirSync(at('gone'));
  fs.writeFileSync(at('end3'), '');
}

directory();

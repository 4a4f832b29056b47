#!/usr/bin/env node
// Builds the catalog corpus: runs a wide set of real programs here, several workloads each, under
// `strace -f`, and keeps only what the catalog is derived from: per run, the set of syscall names it made.
// Output: policies/corpus/runs.jsonl (one {program, workload, syscalls} a line, sorted). Rerun after adding
// workloads: `node scripts/catalog-corpus.js` (needs strace and the programs below; each run is in a fresh
// temporary directory, the network only on 127.0.0.1). The benchmark's held-out workloads are not here.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OUT = new URL('../policies/corpus/runs.jsonl', import.meta.url).pathname;
const ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', HOME: '/tmp', TZ: 'UTC',
  GIT_AUTHOR_NAME: 'c', GIT_AUTHOR_EMAIL: 'c@example.invalid', GIT_COMMITTER_NAME: 'c', GIT_COMMITTER_EMAIL: 'c@example.invalid' };
// Every workload starts in a directory holding: t.txt (numbers), d/ (a small tree), z.gz, a.tar.
const SETUP = 'seq 1 2000 > t.txt; mkdir -p d/e; seq 1 50 > d/a; seq 3 9 > d/e/b; gzip -n -c t.txt > z.gz; tar cf a.tar d';

const WORKLOADS = {
  coreutils: ['ls -la d', 'cat t.txt', 'head -n 3 t.txt', 'wc -l t.txt', 'du -s d', 'df -h .', 'stat t.txt', 'touch n && ls n',
    'mkdir -p x/y && rmdir x/y x', 'rm -f t.txt', 'ln -s t.txt l && readlink l', 'chmod 600 t.txt', 'date -u +%s',
    'sleep 0.1', 'env', 'id', 'md5sum t.txt', 'sha256sum t.txt', 'sort -r t.txt', 'sort -o t.txt t.txt', 'tr 1 2 < t.txt',
    'cut -c1-2 t.txt', 'uniq t.txt', 'tee copy < t.txt', 'split -l 500 t.txt part', 'cp -r d d2', 'cp -a d d3', 'mv d d4',
    'install -m 644 t.txt i.txt', 'truncate -s 10 t.txt', 'dd if=t.txt of=o bs=1k', 'shred -u t.txt', 'mktemp', 'nproc', 'uname -a',
    'timeout 1 sleep 0.1', 'nice -n 5 true', 'printf x | base64', 'seq 1 100 | paste - -', 'yes | head -n 2', 'realpath d/a',
    'chown root:root t.txt', 'touch -d @0 t.txt', 'comm t.txt t.txt', 'diff t.txt t.txt', 'cmp t.txt t.txt', 'tail -n 2 t.txt'],
  findutils: ['find d', 'find . -name "*.txt" -print0 | xargs -0 wc -c', 'find d -type f -exec cat {} +', 'find d -newer t.txt',
    'find . -name x -delete', 'find d -printf "%m %p\\n"'],
  grep: ['grep -c 7 t.txt', 'grep -r 5 d', 'grep -E "^1+$" t.txt'],
  awk: ['awk "{s+=\\$1} END {print s}" t.txt', 'sed -n 5p t.txt', 'sed -i s/1/x/ t.txt'],
  tar: ['tar cf b.tar d', 'tar czf b.tgz d', 'tar xf a.tar -C /tmp/$$ 2>/dev/null || (mkdir x && tar xf a.tar -C x)', 'tar tf a.tar', 'tar xzf b.tgz 2>/dev/null; true'],
  compress: ['gzip -k t.txt', 'gzip -dc z.gz | wc -l', 'xz -k t.txt', 'xz -T2 -k -9 t.txt -c > t2.xz', 'bzip2 -k t.txt', 'zstd -q t.txt', 'zstd -q -d -c z.gz 2>/dev/null; true'],
  python3: ['python3 -c "print(1)"', 'python3 -c "import json; print(json.dumps({1:2}))"', 'python3 -c "import os; os.makedirs(\'p/q\'); os.rename(\'t.txt\',\'u.txt\')"',
    'python3 -c "import subprocess; subprocess.run([\'true\'])"', 'python3 -c "import threading; t=threading.Thread(target=print); t.start(); t.join()"',
    'python3 -c "import socket; s=socket.socket(); s.close()"', 'python3 -c "import tempfile; tempfile.NamedTemporaryFile().write(b\'x\')"',
    'python3 -c "import time; time.sleep(0.05)"', 'python3 -c "import shutil; shutil.copytree(\'d\',\'d9\')"', 'python3 -m zipfile -c z.zip d'],
  perl: ['perl -e "print 1"', 'perl -ne "print if /3/" t.txt', 'perl -e "mkdir q; rename q, r; rmdir r"', 'perl -e "system(q(true))"', 'perl -MPOSIX -e "print strftime(q(%Y), gmtime)"'],
  git: ['git init -q g && cd g && echo a > a && git add a && git commit -qm a && git log --oneline', 'git init -q h && cd h && git status',
    'git init -q k && cd k && echo b > b && git add b && git commit -qm b && git branch x && git checkout -q x && git tag t && git gc -q'],
  curl: ['curl -s file://$PWD/t.txt | wc -l', 'curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1:9/ ; true'],
  sqlite3: ['sqlite3 s.db "create table t(a); insert into t values(1); select * from t"', 'sqlite3 :memory: "select 1+1"', 'sqlite3 -csv s.db "create table u(a,b); select count(*) from u"'],
  openssl: ['openssl sha1 t.txt', 'openssl rand -hex 8', 'openssl genpkey -algorithm ed25519 -out k.pem', 'openssl version'],
  busybox: ['busybox ls -l d', 'busybox cat t.txt | busybox wc -l', 'busybox find d -type f', 'busybox tar cf bb.tar d', 'busybox gzip -c t.txt > bb.gz',
    'busybox sed -n 3p t.txt', 'busybox rm -rf d', 'busybox mkdir -p m/n', 'busybox sleep 0.05', 'busybox stat t.txt', 'busybox date'],
  shell: ['sh -c "echo a | cat"', 'bash -c "x=\\$(echo 1); echo \\$x"', 'sh -c "cd d && pwd"'],
  nginx: ['nginx -t -p $PWD -c /etc/nginx/nginx.conf 2>&1 | tail -1', 'nginx -V 2>&1 | head -1'],
};

function syscallNames(traceFile) {
  const names = new Set();
  for (const line of readFileSync(traceFile, 'utf8').split('\n')) {
    const m = /^\d+\s+(?:<\.\.\. (\w+) resumed>|(\w+)\()/.exec(line);
    const name = m?.[1] ?? m?.[2];
    if (name !== undefined) names.add(name);
  }
  return [...names].sort();
}

const runs = [];
for (const [program, list] of Object.entries(WORKLOADS)) {
  for (const workload of list) {
    const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
    try {
      execFileSync('/bin/sh', ['-c', SETUP], { cwd: dir, env: ENV });
      const trace = join(dir, '.trace');
      const r = spawnSync('strace', ['-f', '-qq', '-o', trace, '/bin/sh', '-c', workload], { cwd: dir, env: ENV, stdio: ['ignore', 'ignore', 'ignore'], timeout: 60_000 });
      if (r.error) throw r.error;
      runs.push({ program, workload, syscalls: syscallNames(trace) });
      process.stderr.write('.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
writeFileSync(OUT, runs.map((r) => JSON.stringify(r)).join('\n') + '\n');
process.stderr.write(`\nwrote ${runs.length} runs to ${OUT}\n`);

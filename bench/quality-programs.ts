// The programs of the policy-quality benchmark: each is learned from one workload under real strace, then
// replayed on held-out workloads — "same" (the same feature on other data) and "near" (a neighbouring feature a
// user expects to keep working). Every workload is a /bin/sh script run in a fresh copy of the program's data
// directory; its stdout and the files it leaves behind are its output. `@PORT@` is the bench's own nginx on
// 127.0.0.1 (curl's server), `@NGXPORT@` a free port for the nginx program itself.

export interface QualityProgram {
  readonly name: string;
  /** Shell commands that build the data directory (run once, bare, in an empty directory). */
  readonly setup: string;
  readonly learn: string;
  readonly same: readonly string[];
  readonly near: readonly string[];
  /** Workloads that need a capability the learn run never showed (writing files after a read-only run):
   * the policy must refuse them, so the bench counts how many it did refuse. */
  readonly beyond?: readonly string[];
}

const NGINX_CONF = `printf '%s\\n' 'worker_processes 1; error_log logs/error.log; pid logs/nginx.pid;' \\
  'events { worker_connections 64; }' \\
  'http { access_log off; client_body_temp_path tmp; proxy_temp_path tmp; fastcgi_temp_path tmp; uwsgi_temp_path tmp; scgi_temp_path tmp;' \\
  '  server { listen 127.0.0.1:@NGXPORT@; root www; } }' > nginx.conf; mkdir -p logs tmp www; \\
  seq 1 500 > www/a.txt; seq 100 900 > www/b.txt; echo hello > www/index.html`;
// nginx in the foreground of the traced shell; the nginx started for `-s` signals the master through its pid file.
const NGINX_UP = 'nginx -p "$PWD" -c nginx.conf -g "daemon off;" & pid=$!; ' +
  'for i in $(seq 100); do curl -sf -o /dev/null http://127.0.0.1:@NGXPORT@/ && break; sleep 0.05; done';
const NGINX_DOWN = 'nginx -p "$PWD" -c nginx.conf -s quit; wait $pid; rm -rf logs tmp';

export const QUALITY_PROGRAMS: readonly QualityProgram[] = [
  {
    name: 'tar',
    setup: 'mkdir -p src/sub other; seq 1 3000 > src/a; seq 5 900 > src/sub/b; echo x > other/c; chmod 640 src/a; ' +
      'tar cf given.tar --sort=name --mtime=@0 --owner=0 --group=0 other',
    learn: 'tar cf out.tar --sort=name --mtime=@0 --owner=0 --group=0 src',
    same: ['tar cf o2.tar --sort=name --mtime=@0 --owner=0 --group=0 other'],
    near: ['mkdir x && tar xf given.tar -C x && ls -lR x | sed 1d', 'tar tvf given.tar'],
  },
  {
    name: 'sort-gzip',
    setup: 'seq 1 20000 | sed "s/^/k/" > in.txt; seq 500 -1 1 > in2.txt; seq 1 50 | gzip -n > given.gz; seq 200000 -1 1 > big.txt',
    learn: 'sort in.txt | gzip -n > out.gz',
    same: ['sort -r in2.txt | gzip -n -9 > o2.gz'],
    // 200,000 lines: sort sorts them in two threads (the learn run's 20,000 in one).
    near: ['sort -n -o sorted.txt in2.txt', 'gzip -dc given.gz | sort -rn | head -3', 'sort -n --parallel=2 big.txt | gzip -n > big.gz'],
  },
  {
    name: 'python3',
    setup: 'printf "a,b\\n1,2\\n3,4\\n" > t.csv; printf "a,b\\n9,8\\n7,6\\n5,5\\n" > u.csv',
    learn: 'python3 -c "import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(sum(int(x[\'a\']) for x in r))" t.csv',
    same: ['python3 -c "import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(sum(int(x[\'b\']) for x in r))" u.csv'],
    near: ['python3 -c "import json,csv; print(json.dumps(list(csv.reader(open(\'t.csv\')))))"',
      'python3 -c "import hashlib,os; print(sorted(os.listdir(\'.\'))); print(hashlib.sha256(open(\'u.csv\',\'rb\').read()).hexdigest())"',
      'python3 -c "import concurrent.futures as f; print(list(f.ThreadPoolExecutor(2).map(abs, [-1, -2, -3])))"'],
  },
  {
    name: 'find-xargs',
    setup: 'mkdir -p d/e d/f; for i in 1 2 3 4 5; do seq $i 40 > d/e/$i.txt; seq $i 9 > d/f/$i.log; done',
    learn: 'find d -name "*.txt" | sort | xargs wc -l',
    same: ['find d -name "*.log" | sort | xargs cat | wc -c'],
    near: ['find d -type f -size +0 -printf "%p %s\\n" | sort', 'find d -name "*.log" -exec grep -l 7 {} + | sort'],
  },
  {
    name: 'curl',
    setup: 'true',
    learn: 'curl -s http://127.0.0.1:@PORT@/a.txt | head -5',
    same: ['curl -s http://127.0.0.1:@PORT@/b.txt | tail -3'],
    // Not `-o /dev/null`: that opens a file for writing, which after a read-only learn run a policy must refuse
    // exactly as it refuses `-o got.txt` below (a filter cannot see the path).
    near: ['curl -s -I http://127.0.0.1:@PORT@/b.txt | head -1', 'curl -s -w "\\n%{http_code}\\n" http://127.0.0.1:@PORT@/missing | tail -1'],
    beyond: ['curl -s -o got.txt http://127.0.0.1:@PORT@/b.txt'],
  },
  {
    name: 'git',
    setup: 'git init -q given && cd given && seq 1 10 > f && git add f && git commit -qm one && seq 1 12 > f && git commit -qam two',
    learn: 'git init -q r && cd r && seq 1 30 > a && seq 4 8 > b && git add a b && git commit -qm first && git rev-parse HEAD && rm .git/index',
    same: ['git init -q s && cd s && seq 7 70 > c && git add c && git commit -qm other && git rev-parse HEAD && rm .git/index'],
    near: ['cd given && git log --stat --format=%s', 'cd given && git status --short && git diff HEAD~1 | tail -4 && rm .git/index'],
  },
  {
    name: 'sqlite3',
    setup: 'sqlite3 given.db "create table t(a,b); insert into t values(1,2),(3,4);"',
    learn: 'sqlite3 n.db "create table t(a integer, b text); insert into t values(1,\'x\'),(2,\'y\'); select count(*) from t;"',
    same: ['sqlite3 m.db "create table u(k); insert into u values(5),(6),(7); select sum(k) from u;"'],
    near: ['sqlite3 given.db "update t set b=b*10; delete from t where a=1; select * from t;"', 'sqlite3 given.db .dump'],
  },
  {
    name: 'openssl',
    setup: 'seq 1 5000 > f; seq 9 99 > g',
    learn: 'openssl dgst -sha256 f',
    same: ['openssl dgst -sha512 g'],
    near: ['openssl enc -aes-256-cbc -pbkdf2 -S 0011223344556677 -pass pass:pw -in g | wc -c', 'openssl base64 -in g | head -3'],
    beyond: ['openssl enc -aes-256-cbc -pbkdf2 -S 0011223344556677 -pass pass:pw -in g -out g.enc'],
  },
  {
    name: 'xz',
    setup: 'seq 1 30000 > big; seq 1 99 > small; seq 1 70 | xz > given.xz',
    learn: 'xz -k big',
    same: ['xz -k -9 small'],
    near: ['xz -dk given.xz && cat given', 'xz -l given.xz', 'xz -T2 -k -c small > small.mt.xz'],
  },
  {
    name: 'perl',
    setup: 'seq 1 200 > n.txt; seq 50 60 > m.txt',
    learn: 'perl -ne "print if /7/" n.txt',
    same: ['perl -ne "print if /5/" m.txt'],
    near: ['perl -lne "print length" m.txt', 'perl -e "opendir D, q(.); print join(q( ), sort readdir D), qq(\\n)"'],
    beyond: ['perl -pi -e "s/5/five/" m.txt'],
  },
  {
    name: 'nginx',
    setup: NGINX_CONF,
    learn: `${NGINX_UP}; curl -s http://127.0.0.1:@NGXPORT@/a.txt | wc -l; ${NGINX_DOWN}`,
    same: [`${NGINX_UP}; curl -s http://127.0.0.1:@NGXPORT@/b.txt | tail -2; ${NGINX_DOWN}`],
    near: [`${NGINX_UP}; nginx -p "$PWD" -c nginx.conf -s reload; sleep 0.5; curl -s http://127.0.0.1:@NGXPORT@/a.txt | tail -1; ${NGINX_DOWN}`],
  },
  {
    name: 'busybox',
    setup: 'mkdir -p in; seq 1 100 > in/a; seq 3 30 > in/b',
    learn: 'busybox cat in/a | busybox wc -l; busybox ls in',
    same: ['busybox cat in/b | busybox wc -c; busybox ls -1 in'],
    near: ['busybox find in -type f | busybox sort', 'busybox md5sum in/a && busybox head -2 in/b'],
    beyond: ['busybox cp -r in out && busybox ls out'],
  },
  {
    name: 'cp',
    setup: 'mkdir -p src/d; seq 1 999 > src/x; seq 1 9 > src/d/y; chmod 600 src/x',
    learn: 'cp -r src dst && ls -R dst',
    same: ['cp src/x one && cat one | wc -l'],
    near: ['cp -a src keep && ls -lR keep | sed 1d', 'mv src moved && ls moved'],
  },
  {
    name: 'sed',
    setup: 'seq 1 300 > s.txt; seq 20 40 > t.txt; echo s/4/four/ > prog.sed',
    learn: 'sed -n "s/1/one/p" s.txt',
    same: ['sed -n "s/2/two/p" t.txt'],
    near: ['sed -f prog.sed t.txt', 'sed -e "/5/d" s.txt | wc -l'],
    beyond: ['sed -i "s/3/three/" t.txt'],
  },
];

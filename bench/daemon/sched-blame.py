#!/usr/bin/env python3
"""Who held the core while wooly-bench-daemon's woken threads waited.

Reads `perf sched timehist` output of a run of the bench and prints, for the
threads on a probe launch's path (client, ZeroMQ I/O, woolyd-io, session,
urgent workers) woken but left waiting over --min-us on a runqueue, which
threads ran on that core meanwhile, summed by thread name. With --at, the
schedule of both cores during one launch instead (the "at" value that
`--trace` prints for a slow launch, CLOCK_MONOTONIC ns).

  perf sched record -k CLOCK_MONOTONIC -a -o s.data -- \\
      build/bin/wooly-bench-daemon --priority-only --trace > bench.txt
  perf sched timehist -i s.data > s.txt
  bench/daemon/sched-blame.py s.txt
  bench/daemon/sched-blame.py s.txt --at 24160067484410 --us 4801

Lines are "time cpu task[tid/pid] wait sch-delay run" (ms); a line is one
run that ended at `time` after `run` ms on the core and `sch-delay` ms
runnable before it. Approximate: a thread that waited on one core and ran
on another is blamed on the second.
"""
import argparse
import collections
import re

PATH = re.compile(r'^(woolyd-session|woolyd-io|ZMQbg/IO|bench-probe|wooly-u)')


def runs(path):
    for line in open(path):
        f = line.split()
        if len(f) < 6 or not re.match(r'^\d+\.\d+$', f[0]):
            continue
        try:
            end, delay, run = float(f[0]), float(f[4]) / 1e3, float(f[5]) / 1e3
        except ValueError:
            continue
        m = re.match(r'^(.*)\[(\d+)(?:/(\d+))?\]$', f[2])
        if not m:
            continue
        name, tid, pid = m.group(1), m.group(2), m.group(3) or m.group(2)
        yield end - run, end, f[1], name, pid, delay


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('timehist')
    ap.add_argument('--min-us', type=float, default=300)
    ap.add_argument('--at', type=int, help='launch call time, ns')
    ap.add_argument('--us', type=float, default=2000, help='window length')
    a = ap.parse_args()
    rows = list(runs(a.timehist))
    # The bench's main thread is named bench-probe; its tid is the pid.
    pid = next(p for s, e, c, n, p, d in rows if n == 'bench-probe')
    if a.at is not None:
        t0 = a.at / 1e9
        for s, e, c, n, p, d in rows:
            if e >= t0 and s <= t0 + a.us / 1e6 and (p == pid or e - s > 1e-4):
                print('%+8.0f..%+8.0f us %s %-16s %s delay %6.0f us' %
                      ((s - t0) * 1e6, (e - t0) * 1e6, c, n,
                       'ours ' if p == pid else 'other', d * 1e6))
        return
    by_cpu = collections.defaultdict(list)
    for s, e, c, n, p, d in rows:
        by_cpu[c].append((s, e, n if p == pid else 'other: ' + n))
    held = collections.Counter()
    waits = collections.Counter()
    for s, e, c, n, p, d in rows:
        if p != pid or not PATH.match(n) or d * 1e6 < a.min_us:
            continue
        waits[n] += 1
        w0, w1 = s - d, s
        for rs, re_, rn in by_cpu[c]:
            overlap = min(re_, w1) - max(rs, w0)
            if overlap > 0 and rn != n:
                held[rn] += overlap
    print('woken path threads that waited over %.0f us: %s' %
          (a.min_us, ', '.join('%s %d' % kv for kv in waits.most_common())))
    total = sum(held.values()) or 1
    for n, t in held.most_common(12):
        print('  %-28s held the core %7.1f ms (%2.0f %%)' %
              (n, t * 1e3, 100 * t / total))


if __name__ == '__main__':
    main()

# Issue 12 item 4: does a 10M x 8 default kmeans_fit fit within the default
# customer_seg.max_memory, or fail at once with the documented error? (needs ~3 GB of disk)
# A fit that runs reports the backend's peak memory (VmHWM growth, fresh connection).
#   bash scripts/dev_check.sh bench/max_memory_probe.py; cat build/dev-max_memory_probe.log
import psycopg2, time


def status(pid):
    """VmHWM and RssShmem of a backend, in bytes."""
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "RssShmem"):
                out[key] = int(value.split()[0]) * 1024
    return out


c = psycopg2.connect(""); c.autocommit = True; cur = c.cursor()
cur.execute("CREATE EXTENSION IF NOT EXISTS customer_seg")
cur.execute("SHOW customer_seg.max_memory"); print("max_memory", cur.fetchone()[0], flush=True)
t = time.time()
cur.execute("CREATE TABLE t AS SELECT random() f1, random() f2, random() f3, random() f4, random() f5, random() f6, random() f7, random() f8 FROM generate_series(1,10000000)")
cur.execute("VACUUM ANALYZE t"); print(f"table {time.time()-t:.1f}s", flush=True)
arr = "ARRAY[f1,f2,f3,f4,f5,f6,f7,f8]"
t = time.time(); cur.execute(f"SELECT count({arr}) FROM t"); print(f"bare scan {time.time()-t:.2f}s", flush=True)
raw = 10000000 * 8 * 8
for q in [f"SELECT kmeans_fit({arr}, 8) IS NULL FROM t", f"SELECT kmeans_fit({arr}, 8, '{{\"n_init\":1}}') IS NULL FROM t"]:
    conn = psycopg2.connect(""); conn.autocommit = True; q_cur = conn.cursor()
    q_cur.execute("SELECT pg_backend_pid()"); pid = q_cur.fetchone()[0]
    before = status(pid)
    t = time.time()
    try:
        q_cur.execute(q)
        after = status(pid)
        grow = after["VmHWM"] - before["VmHWM"]
        print(f"{q}: fitted in {time.time()-t:.2f}s; backend peak +{grow / 2**20:.0f} MB "
              f"= {grow / raw:.2f}x the raw rows ({raw / 2**20:.0f} MB), of which shared "
              f"buffers +{(after['RssShmem'] - before['RssShmem']) / 2**20:.0f} MB", flush=True)
    except psycopg2.Error as e:
        print(f"{q}: {e.pgcode} after {time.time()-t:.2f}s: {e.pgerror.strip()}", flush=True)
    conn.close()

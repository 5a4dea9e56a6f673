# Issue 12 item 4: does a 10M x 8 default kmeans_fit fit within the default
# customer_seg.max_memory, or fail at once with the documented error? (needs ~3 GB of disk)
# A fit that runs reports the backend's peak memory (VmHWM growth, fresh connection) and its
# peak private memory (RssAnon growth, sampled every 20 ms: VmHWM also counts the shared
# buffers and files the backend maps), under the default plan and a serial one.
#   bash scripts/dev_check.sh bench/max_memory_probe.py; cat build/dev-max_memory_probe.log
import psycopg2, threading, time

from bench import proc_status  # this script's folder is first on sys.path


def status(pid):
    """VmHWM, RssShmem and RssAnon of a backend, in bytes."""
    return proc_status(pid, ("VmHWM", "RssShmem", "RssAnon"))


c = psycopg2.connect(""); c.autocommit = True; cur = c.cursor()
cur.execute("CREATE EXTENSION IF NOT EXISTS customer_seg")
cur.execute("SHOW customer_seg.max_memory"); print("max_memory", cur.fetchone()[0], flush=True)
t = time.time()
cur.execute("CREATE TABLE t AS SELECT random() f1, random() f2, random() f3, random() f4, random() f5, random() f6, random() f7, random() f8 FROM generate_series(1,10000000)")
cur.execute("VACUUM ANALYZE t"); print(f"table {time.time()-t:.1f}s", flush=True)
arr = "ARRAY[f1,f2,f3,f4,f5,f6,f7,f8]"
t = time.time(); cur.execute(f"SELECT count({arr}) FROM t"); print(f"bare scan {time.time()-t:.2f}s", flush=True)
raw = 10000000 * 8 * 8
queries = [f"SELECT kmeans_fit({arr}, 8) IS NULL FROM t",
           f"SELECT kmeans_fit({arr}, 8, '{{\"n_init\":1}}') IS NULL FROM t"]
for plan in ("default plan", "serial plan"):
    for q in queries:
        conn = psycopg2.connect(""); conn.autocommit = True; q_cur = conn.cursor()
        if plan == "serial plan":
            q_cur.execute("SET max_parallel_workers_per_gather = 0")
        q_cur.execute("SELECT pg_backend_pid()"); pid = q_cur.fetchone()[0]
        before = status(pid)
        peak_anon = [0]
        running = [True]

        def sample():
            while running[0]:
                peak_anon[0] = max(peak_anon[0], status(pid)["RssAnon"] - before["RssAnon"])
                time.sleep(0.02)

        sampler = threading.Thread(target=sample); sampler.start()
        t = time.time()
        try:
            q_cur.execute(q)
            after = status(pid)
            grow = after["VmHWM"] - before["VmHWM"]
            running[0] = False; sampler.join()
            print(f"{plan}, {q}: fitted in {time.time()-t:.2f}s; backend peak +{grow / 2**20:.0f} MB "
                  f"= {grow / raw:.2f}x the raw rows ({raw / 2**20:.0f} MB), of which shared "
                  f"buffers +{(after['RssShmem'] - before['RssShmem']) / 2**20:.0f} MB; private "
                  f"(RssAnon) peak +{peak_anon[0] / 2**20:.0f} MB", flush=True)
        except psycopg2.Error as e:
            running[0] = False; sampler.join()
            print(f"{plan}, {q}: {e.pgcode} after {time.time()-t:.2f}s: {e.pgerror.strip()}",
                  flush=True)
        conn.close()

"""Wall time per trial: process pool of 2 workers vs the sequential run (one BLAS thread each)."""
import os, time
from threadpoolctl import threadpool_limits
from hpo import minimize
from hpo.problems import get_problem

if __name__ == "__main__":
    p = get_problem("lc_mlp_adam_digits_logloss")
    print("load before", os.getloadavg())
    with threadpool_limits(limits=1):
        t = time.perf_counter()
        seq = minimize(p, p.space, "random", 20, seed=0)
        t_seq = time.perf_counter() - t
    t = time.perf_counter()
    p = get_problem("lc_mlp_adam_digits_logloss")  # a fresh one: no checkpoints from the run above
    par = minimize(p, p.space, "random", 20, seed=0, n_workers=2)
    t_par = time.perf_counter() - t
    same = [tr.value for tr in seq.trials] == [tr.value for tr in par.trials]
    print(f"sequential: {t_seq:.1f} s total, {t_seq/20:.2f} s/trial, sum eval_time {sum(tr.eval_time for tr in seq.trials):.1f} s")
    print(f"pool n_workers=2: {t_par:.1f} s total, {t_par/20:.2f} s/trial, sum eval_time {sum(tr.eval_time for tr in par.trials):.1f} s")
    print(f"ratio (per trial, pool / sequential): {t_par/t_seq:.2f}; same values: {same}; failed: {seq.n_failed}, {par.n_failed}")
    print("load after", os.getloadavg())
    p = get_problem("lc_mlp_adam_digits_logloss")
    t = time.perf_counter()
    warm = minimize(p, p.space, "random", 20, seed=0, n_workers=2)
    t_warm = time.perf_counter() - t
    print(f"pool again, forkserver already running: {t_warm:.1f} s total, {t_warm/20:.2f} s/trial, "
          f"ratio {t_warm/t_seq:.2f}, sum eval_time {sum(tr.eval_time for tr in warm.trials):.1f} s")
    print("load at end", os.getloadavg())

import warnings

from hpo import BayesianOptimization, Real, Space

warnings.simplefilter("ignore")

space = Space({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)})
for warping in ("yeo-johnson", "none", "copula"):
    for big in (1e150, 2e154, 1.7e308):
        opt = BayesianOptimization(space, seed=0, n_initial=4, output_warping=warping)
        for i in range(6):
            p = opt.ask()
            v = (
                float("nan")
                if i in (1, 4)
                else (big if i == 2 else (p["x"] - 0.3) ** 2 + (p["y"] - 0.6) ** 2)
            )
            opt.tell(p, v)
        out = []
        for _ in range(3):
            try:
                opt.ask()
                out.append("ok")
            except ValueError as e:
                out.append(f"ValueError({str(e)[:30]})")
        try:
            opt.ask(3)
            out.append("batch ok")
        except ValueError as e:
            out.append(f"batch ValueError({str(e)[:30]})")
        print(warping, f"{big:.3g}", out)

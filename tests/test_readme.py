"""The README's quickstart runs as written (with a loss of our own)."""

import math
import re
from pathlib import Path

README = (Path(__file__).parents[1] / "README.md").read_text()


def test_quickstart_block_runs():
    (block,) = re.findall(r"## Quickstart\n\n```python\n(.*?)```", README, flags=re.S)
    block = block.replace("range(30)", "range(12)")  # same code, fewer trials

    def my_loss(params):
        return (
            (math.log10(params["learning_rate_init"]) + 3) ** 2
            + len(params["hidden_layer_sizes"])
            + params["max_iter"] / 1000
        )

    namespace = {"my_loss": my_loss, "print": lambda *a: None}
    exec(compile(block, "README.md", "exec"), namespace)
    result = namespace["result"]
    assert len(result.trials) == 50 and math.isfinite(result.best_value)
    assert namespace["opt"].best.value <= min(t.value for t in namespace["opt"].completed)


def test_the_two_commands_are_on_the_first_screen():
    first_screen = "\n".join(README.splitlines()[:25])
    assert "pip install -e . && hpo bench quick --out results/quick" in first_screen
    assert 'pip install -e ".[dev]" && pytest' in first_screen

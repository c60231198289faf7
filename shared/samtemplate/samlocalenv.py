"""Prints, as JSON, the environment `sam local invoke <Function> --env-vars ENV_JSON`
would give each function of TEMPLATE, computed by SAM CLI's own code (no
container engine is needed for that part).

Usage: python -c "$(cat samlocalenv.py)" TEMPLATE ENV_JSON
"""

import json
import os
import sys

from samcli.commands.local.lib.local_lambda import LocalLambdaRunner
from samcli.lib.providers.sam_function_provider import SamFunctionProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider


def main():
    template, env_json = sys.argv[1], sys.argv[2]
    stacks, _ = SamLocalStackProvider.get_stacks(template)
    functions = SamFunctionProvider(stacks)
    with open(env_json) as f:
        overrides = json.load(f)
    runner = LocalLambdaRunner(
        local_runtime=None,
        function_provider=functions,
        cwd=os.path.dirname(os.path.abspath(template)),
        real_path=os.path.dirname(os.path.abspath(template)),
        aws_region="us-east-1",
        env_vars_values=overrides,
    )
    resolved = {fn.name: runner._make_env_vars(fn).resolve() for fn in functions.get_all()}
    json.dump(resolved, sys.stdout)


main()

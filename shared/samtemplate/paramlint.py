"""Asks cfn-lint which parameter values the template's constraints refuse:
each value becomes the default of a copy of its parameter, and
cfn-lint checks a default as CloudFormation checks a value (AllowedValues,
AllowedPattern as Java reads it, MinValue, MaxValue).

Usage: python -c "$(cat paramlint.py)" TEMPLATE < [[PARAMETER, VALUE], ...]
Prints, as JSON, per pair, cfn-lint's errors about that default ([] if none).
"""

import copy
import json
import sys

from cfnlint.api import ManualArgs, lint
from cfnlint.decode import decode_str

template, problems = decode_str(open(sys.argv[1]).read())
if problems:
    sys.exit("%s: %s" % (sys.argv[1], problems))
# One template, linted once: the pair i is the parameter P<i>.
alone = {"AWSTemplateFormatVersion": "2010-09-09", "Parameters": {}, "Resources": {}}
pairs = json.load(sys.stdin)
for i, (name, value) in enumerate(pairs):
    parameter = copy.deepcopy(dict(template["Parameters"][name]))
    parameter["Default"] = value
    if parameter.get("Type") == "Number":
        # As YAML would read it: cfn-lint compares a number's bounds only with a number.
        try:
            parameter["Default"] = json.loads(value)
        except ValueError:
            pass
    alone["Parameters"]["P%d" % i] = parameter
    alone["Resources"]["Topic%d" % i] = {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": {"Fn::Sub": "${P%d}" % i}}}
errors = [[] for _ in pairs]
for m in lint(json.dumps(alone), config=ManualArgs(regions=["sa-east-1"])):
    path = list(getattr(m, "path", None) or [])
    if m.rule.id.startswith("E") and len(path) > 1 and path[0] == "Parameters":
        errors[int(str(path[1])[1:])].append("%s %s" % (m.rule.id, m.message))
    elif m.rule.id.startswith("E"):
        sys.exit("cfn-lint: %s %s at %s" % (m.rule.id, m.message, path))
json.dump(errors, sys.stdout)

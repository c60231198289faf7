"""Writes the translated (post-transform) CloudFormation of a SAM template.

cfn-lint on the SAM template misses what only the translation shows (a
dependency cycle, E3004); make test lints this output too. Offline: the code
locations become placeholder S3 URIs, as `sam package` would make them, and no
managed policy is looked up.

Usage: sam_translate.py TEMPLATE OUTPUT (or import translate from it)
"""

import json
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


# Where the code of every function is said to be, as `sam package` would write it.
CODE_BUCKET, CODE_KEY = "zmed-build-artifacts", "function.zip"


class NoManagedPolicies:
    def load(self):
        return {}


def checkov_skips(template):
    """The checkov skips of each function, declared beside it: SAM copies a
    function's Metadata to the function it makes but not to the role that holds
    its policies, where checkov reads what the policies allow."""
    return {
        rid + "Role": r["Metadata"]["checkov"]
        for rid, r in template["Resources"].items()
        if r.get("Type") == "AWS::Serverless::Function" and "checkov" in (r.get("Metadata") or {})
    }


def translate(source, parameters):
    """Returns the CloudFormation of the SAM template text source for the given parameter values."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    template = yaml_parse(source)
    skips = checkov_skips(template)
    code = "s3://%s/%s" % (CODE_BUCKET, CODE_KEY)
    template.get("Globals", {}).get("Function", {})["CodeUri"] = code
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource.setdefault("Properties", {})["CodeUri"] = code
    translated = transform(template, parameters, NoManagedPolicies())
    for rid, skip in skips.items():
        if rid in translated["Resources"]:
            translated["Resources"][rid].setdefault("Metadata", {})["checkov"] = skip
    return translated


def main():
    source, output = sys.argv[1], sys.argv[2]
    with open(output, "w") as f:
        json.dump(translate(open(source).read(), {}), f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()

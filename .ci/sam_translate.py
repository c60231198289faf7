"""Writes the translated (post-transform) CloudFormation of a SAM template.

cfn-lint on the SAM template misses what only the translation shows (a
dependency cycle, E3004); make test lints this output too. Offline: the code
locations become placeholder S3 URIs, as `sam package` would make them, and no
managed policy is looked up.

Usage: sam_translate.py TEMPLATE OUTPUT
"""

import json
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    def load(self):
        return {}


def main():
    source, output = sys.argv[1], sys.argv[2]
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    template = yaml_parse(open(source).read())
    placeholder = "s3://zmed-build-artifacts/function.zip"
    template.get("Globals", {}).get("Function", {})["CodeUri"] = placeholder
    for resource in template["Resources"].values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource.setdefault("Properties", {})["CodeUri"] = placeholder
    translated = transform(template, {}, NoManagedPolicies())
    with open(output, "w") as f:
        json.dump(translated, f, indent=1, sort_keys=True)


main()

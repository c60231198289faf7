"""Deploys the translated template twice, as two stages, into one moto
CloudFormation (in process, no server) and prints, as JSON, per stage: the
stack status, the physical names of its tables and buckets, and the resource
types moto could not create (it skips types it does not support).

Usage: python -c "$(cat motostacks.py)" TEMPLATE STAGE STAGE
"""

import io
import json
import os
import sys
import zipfile

os.environ.update(AWS_DEFAULT_REGION="sa-east-1", AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local")

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

# The same translation make test lints (.ci/ beside the template), imported
# without writing a __pycache__ into the work tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(sys.argv[1])), ".ci"))
from sam_translate import CODE_BUCKET, CODE_KEY, translate  # noqa: E402


def without_aliases(template):
    """moto has no AWS::Lambda::Alias (nor CodeDeploy): a reference to an alias
    would resolve to nothing and fail the permissions that name it, so each
    reference to an alias points at its function instead."""
    aliases = {
        rid: r["Properties"]["FunctionName"]
        for rid, r in template["Resources"].items()
        if r["Type"] == "AWS::Lambda::Alias"
    }

    def walk(v):
        if isinstance(v, dict):
            if set(v) == {"Ref"} and v["Ref"] in aliases:
                return {"Fn::GetAtt": [aliases[v["Ref"]]["Ref"], "Arn"]}
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    template["Resources"] = walk(template["Resources"])
    return template


def main():
    source = open(sys.argv[1]).read()
    result = {}
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=CODE_BUCKET, CreateBucketConfiguration={"LocationConstraint": "sa-east-1"})
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as z:
            z.writestr("bootstrap", "placeholder")
        s3.put_object(Bucket=CODE_BUCKET, Key=CODE_KEY, Body=code.getvalue())
        cfn = boto3.client("cloudformation")
        for stage in sys.argv[2:]:
            parameters = {
                "Stage": stage,
                "PatientManagerHost": "https://patients.%s.zmed.example" % stage,
                "EmailSender": "resultados@%s.zmed.example" % stage,
                "EmailSenderIdentity": "%s.zmed.example" % stage,
                "AttendantsAppOrigin": "https://attendants.%s.zmed.example" % stage,
                "AlarmEmail": "alarmes@%s.zmed.example" % stage,
                # The optional grants too, so that their conditional resources are created.
                "ExecutionTeamPrincipal": "arn:aws:iam::210987654321:role/zmed-execution-team",
            }
            template = without_aliases(translate(source, parameters))
            name = "zmed-exam-manager-" + stage
            cfn.create_stack(
                StackName=name,
                TemplateBody=json.dumps(template),
                Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
                Capabilities=["CAPABILITY_IAM"],
            )
            stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
            created = cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
            wanted = {r["Type"] for r in template["Resources"].values()}
            result[stage] = {
                "status": stack["StackStatus"],
                "reason": stack.get("StackStatusReason", ""),
                "physical": {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in created},
                "not_created": sorted(wanted - {r["ResourceType"] for r in created}),
            }
    json.dump(result, sys.stdout)


main()

"""Deploys the translated template into one moto CloudFormation (in process,
no server) and prints what happened as JSON.

  python -c "$(cat motostacks.py)" TEMPLATE STAGE STAGE
    Two stages side by side; per stage: the stack status, the physical names
    of its resources, and the resource types moto could not create (it skips
    types it does not support).
  python -c "$(cat motostacks.py)" TEMPLATE --retry STAGE KEY=VALUE...
    A first create that rolls back, then its retry, with the parameters given
    over the example ones.
  python -c "$(cat motostacks.py)" TEMPLATE --only KEY=VALUE...
    A create with exactly these parameters (and the template's defaults):
    how it ended, and the stacks and tables there are after it.
"""

import io
import json
import os
import sys
import zipfile

os.environ.update(AWS_DEFAULT_REGION="sa-east-1", AWS_ACCESS_KEY_ID="local", AWS_SECRET_ACCESS_KEY="local")

import boto3  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
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


def example_parameters(stage):
    return {
        "Stage": stage,
        # As samconfig.toml has them: prod is the production stage and creates the account's alarms.
        "Production": str(stage == "prod").lower(),
        "CreateAccountAlarms": str(stage == "prod").lower(),
        "PatientManagerHost": "https://patients.%s.zmed.example" % stage,
        "EmailSender": "resultados@%s.zmed.example" % stage,
        "EmailSenderIdentity": "%s.zmed.example" % stage,
        "AttendantsAppOrigin": "https://attendants.%s.zmed.example" % stage,
        "AlarmEmail": "alarmes@%s.zmed.example" % stage,
        # The optional grants too, so that their conditional resources are created.
        "ExecutionTeamPrincipal": "arn:aws:iam::210987654321:role/zmed-execution-team",
    }


def upload_code():
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=CODE_BUCKET, CreateBucketConfiguration={"LocationConstraint": "sa-east-1"})
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("bootstrap", "placeholder")
    s3.put_object(Bucket=CODE_BUCKET, Key=CODE_KEY, Body=code.getvalue())


def create(cfn, source, name, parameters):
    """Creates the stack; returns its status, or the error CloudFormation answered."""
    template = without_aliases(translate(source, parameters))
    try:
        cfn.create_stack(
            StackName=name,
            TemplateBody=json.dumps(template),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
            Capabilities=["CAPABILITY_IAM"],
        )
    except ClientError as e:
        return template, "refused: " + e.response["Error"]["Message"]
    except Exception as e:  # moto raises what a resource's creation raised
        return template, "failed: %s" % e
    return template, cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]


def side_by_side(cfn, source, stages):
    result = {}
    for stage in stages:
        parameters = example_parameters(stage)
        name = "zmed-exam-manager-" + stage
        template, _ = create(cfn, source, name, parameters)
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        created = cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
        wanted = {r["Type"] for r in template["Resources"].values()}
        result[stage] = {
            "status": stack["StackStatus"],
            "reason": stack.get("StackStatusReason", ""),
            "physical": {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in created},
            "not_created": sorted(wanted - {r["ResourceType"] for r in created}),
        }
    return result


def retried(cfn, source, stage, overrides):
    """moto does not roll a failed create back: deleting the stack does what
    the rollback of a first create does, since moto deletes every resource
    whose DeletionPolicy is not exactly Retain (RetainExceptOnCreate
    included, as CloudFormation deletes it when its first create rolls
    back). What is left behind makes the retry fail."""
    parameters = dict(example_parameters(stage), **overrides)
    name = "zmed-exam-manager-" + stage
    _, first = create(cfn, source, name, parameters)
    try:
        cfn.delete_stack(StackName=name)
        rollback = "deleted"
    except Exception as e:
        rollback = "failed: %s" % e
    left = boto3.client("dynamodb").list_tables()["TableNames"]
    left += [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"] if b["Name"] != CODE_BUCKET]
    _, retry = create(cfn, source, name + "-retry", parameters)
    return {"first": first, "rollback": rollback, "left": left, "retry": retry}


def main():
    source = open(sys.argv[1]).read()
    with mock_aws():
        upload_code()
        cfn = boto3.client("cloudformation")
        if sys.argv[2] == "--retry":
            result = retried(cfn, source, sys.argv[3], dict(a.split("=", 1) for a in sys.argv[4:]))
        elif sys.argv[2] == "--only":
            _, status = create(cfn, source, "zmed-exam-manager", dict(a.split("=", 1) for a in sys.argv[3:]))
            stacks = [s["StackName"] for s in cfn.list_stacks()["StackSummaries"]]
            result = {"status": status, "stacks": stacks, "tables": boto3.client("dynamodb").list_tables()["TableNames"]}
        else:
            result = side_by_side(cfn, source, sys.argv[2:])
    json.dump(result, sys.stdout)


main()

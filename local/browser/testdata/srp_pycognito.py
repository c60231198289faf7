"""pycognito's AWSSRP on fixed inputs: the independent side of the console's
SRP known-answer test (local/browser/srp_test.go).

Reads a JSON list of cases on stdin ({name, pool_id, username, password,
small_a, salt, srp_b, secret_block, user_id_for_srp, time}); writes, for each,
{name, srp_a, hkdf, timestamp, signature} on stdout. Nothing leaves the machine:
AWSSRP gets a placeholder client and only its local math is called.
"""

import base64
import datetime
import json
import sys

from pycognito import aws_srp


def answer(case):
    at = datetime.datetime.fromisoformat(case["time"].replace("Z", "+00:00"))

    class FixedClock(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return at.replace(tzinfo=None)

    srp = aws_srp.AWSSRP(case["username"], case["password"], case["pool_id"], "client", client=object())
    srp.small_a_value = int(case["small_a"], 16)
    srp.large_a_value = srp.calculate_a()
    challenge = {
        "USERNAME": case["user_id_for_srp"],
        "USER_ID_FOR_SRP": case["user_id_for_srp"],
        "SALT": case["salt"],
        "SRP_B": case["srp_b"],
        "SECRET_BLOCK": case["secret_block"],
    }
    real = aws_srp.datetime.datetime
    aws_srp.datetime.datetime = FixedClock
    try:
        response = srp.process_challenge(challenge, {"USERNAME": case["username"]})
    finally:
        aws_srp.datetime.datetime = real
    key = srp.get_password_authentication_key(
        case["user_id_for_srp"], case["password"], int(case["srp_b"], 16), case["salt"]
    )
    return {
        "name": case["name"],
        "srp_a": srp.get_auth_params()["SRP_A"],
        "hkdf": base64.b16encode(key).decode().lower(),
        "timestamp": response["TIMESTAMP"],
        "signature": response["PASSWORD_CLAIM_SIGNATURE"],
    }


json.dump([answer(c) for c in json.load(sys.stdin)], sys.stdout)

"""Third-party clients against amplify-emulator: pycognito (SRP, its own JWT checks) and boto3.

Reads the emulator's ready line from the EMULATOR_READY environment variable. Exits non-zero
(with an assertion or exception) when any check fails.
"""

import json
import os
import sys

import boto3
import botocore.exceptions
from pycognito import Cognito

PASSWORD = "Passw0rd!"
SECRET_CLIENT = "pycognitosecretclient"
SECRET = "pycognito-test-secret-0123456789"


def error_code(exc):
    return exc.response.get("Error", {}).get("Code")


def main():
    ready = json.loads(os.environ["EMULATOR_READY"])
    endpoint = ready["endpoint"]
    pool_id = ready["userPoolId"]
    client_id = ready["clientId"]
    region = ready["region"]
    kwargs = {"endpoint_url": endpoint}

    # 1. SRP sign-in; pycognito verifies both tokens against the emulator's JWKS and issuer.
    user = Cognito(pool_id, client_id, username="alice", boto3_client_kwargs=kwargs)
    user.authenticate(password=PASSWORD)
    assert user.id_token and user.access_token and user.refresh_token, "tokens missing"
    assert user.id_claims["cognito:username"] == "alice", user.id_claims
    assert user.access_claims["token_use"] == "access", user.access_claims
    print("pycognito SRP sign-in: ok")

    # 2. A wrong password must fail with NotAuthorizedException (moto would accept it).
    wrong = Cognito(pool_id, client_id, username="alice", boto3_client_kwargs=kwargs)
    try:
        wrong.authenticate(password="Wr0ngPassword!")
    except botocore.exceptions.ClientError as exc:
        assert error_code(exc) == "NotAuthorizedException", exc.response
    else:
        raise AssertionError("a wrong password signed in")
    print("pycognito wrong password refused: ok")

    # 3. A client with a secret (SECRET_HASH everywhere).
    secret_user = Cognito(
        pool_id, SECRET_CLIENT, client_secret=SECRET, username="alice", boto3_client_kwargs=kwargs
    )
    secret_user.authenticate(password=PASSWORD)
    assert secret_user.id_claims["aud"] == SECRET_CLIENT
    print("pycognito SRP with client secret: ok")

    # 4. Refresh (REFRESH_TOKEN_AUTH) and GetUser.
    user.renew_access_token()
    user.verify_tokens()
    details = user.get_user()
    assert details.email == "alice@example.com", details._data
    print("pycognito refresh and get_user: ok")

    # 5. boto3 against the identity pool with the user pool ID token.
    identity = boto3.client("cognito-identity", region_name=region, endpoint_url=endpoint)
    logins = {f"cognito-idp.{region}.amazonaws.com/{pool_id}": user.id_token}
    identity_id = identity.get_id(IdentityPoolId=ready["identityPoolId"], Logins=logins)["IdentityId"]
    creds = identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA"), creds
    again = identity.get_id(IdentityPoolId=ready["identityPoolId"], Logins=logins)["IdentityId"]
    assert again == identity_id, (again, identity_id)
    print("boto3 identity pool: ok")

    # 6. boto3 error shapes: unknown user, malformed request.
    idp = boto3.client("cognito-idp", region_name=region, endpoint_url=endpoint)
    try:
        idp.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "nobody", "PASSWORD": PASSWORD},
        )
    except botocore.exceptions.ClientError as exc:
        assert error_code(exc) == "UserNotFoundException", exc.response
    else:
        raise AssertionError("unknown user signed in")
    print("boto3 error shapes: ok")
    print("third-party checks passed")


if __name__ == "__main__":
    sys.exit(main())

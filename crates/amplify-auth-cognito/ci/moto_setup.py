"""Creates a user pool, app client, identity pool and users in moto; writes setup.json for the
Rust suite (examples/moto_compat.rs)."""
import json
import sys

import boto3

endpoint, out_path = sys.argv[1], sys.argv[2]
idp = boto3.client("cognito-idp", endpoint_url=endpoint, region_name="us-east-1")
ci = boto3.client("cognito-identity", endpoint_url=endpoint, region_name="us-east-1")

pool = idp.create_user_pool(
    PoolName="amplify-rs-compat",
    Policies={"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                                 "RequireNumbers": True, "RequireSymbols": True}},
    MfaConfiguration="OPTIONAL",
    AutoVerifiedAttributes=["email"],
)["UserPool"]
pool_id = pool["Id"]
client_id = idp.create_user_pool_client(
    UserPoolId=pool_id,
    ClientName="amplify-rs",
    ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
)["UserPoolClient"]["ClientId"]
identity_pool_id = ci.create_identity_pool(
    IdentityPoolName="amplify_rs_compat",
    AllowUnauthenticatedIdentities=True,
    CognitoIdentityProviders=[{"ProviderName": f"cognito-idp.us-east-1.amazonaws.com/{pool_id}", "ClientId": client_id}],
)["IdentityPoolId"]

password = "Compat-Passw0rd-1!"
temporary = "Temp-Passw0rd-1!"
idp.admin_create_user(UserPoolId=pool_id, Username="newbie", TemporaryPassword=temporary, MessageAction="SUPPRESS",
                      UserAttributes=[{"Name": "email", "Value": "newbie@example.com"}])
idp.admin_create_user(UserPoolId=pool_id, Username="mfauser", MessageAction="SUPPRESS",
                      UserAttributes=[{"Name": "phone_number", "Value": "+15555550123"},
                                      {"Name": "phone_number_verified", "Value": "true"}])
idp.admin_set_user_password(UserPoolId=pool_id, Username="mfauser", Password=password, Permanent=True)
idp.admin_create_user(UserPoolId=pool_id, Username="acctuser", MessageAction="SUPPRESS",
                      UserAttributes=[{"Name": "email", "Value": "acct@example.com"},
                                      {"Name": "email_verified", "Value": "true"}])
idp.admin_set_user_password(UserPoolId=pool_id, Username="acctuser", Password=password, Permanent=True)
idp.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="mfauser",
                                  SMSMfaSettings={"Enabled": True, "PreferredMfa": True})

outputs = {
    "version": "1",
    "auth": {
        "aws_region": "us-east-1",
        "user_pool_id": pool_id,
        "user_pool_client_id": client_id,
        "user_pool_endpoint": endpoint,
        "identity_pool_id": identity_pool_id,
        "identity_pool_endpoint": endpoint,
        "unauthenticated_identities_enabled": True,
    },
}
with open(out_path, "w") as f:
    json.dump({"outputs": outputs, "password": password, "new_password_user": "newbie",
               "temporary_password": temporary, "mfa_user": "mfauser"}, f)
print(f"moto setup: pool {pool_id}, client {client_id}, identity pool {identity_pool_id}")

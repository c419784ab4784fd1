"""The emulator's web console in a real headless Chromium (issue 16), driven by Selenium.

A user signs up through the emulator's Cognito API (AWS JSON 1.1, as an app does) while the
console's outbox page is open: the confirmation code must appear there without a reload. The
user pool page shows the user UNCONFIRMED; the user's page has a Confirm button; after the click
the page shows CONFIRMED, and AdminGetUser over the Cognito API agrees. The request log page shows
the SignUp as accepted. The GraphQL query runner answers from the page in API key, user pool,
IAM (credentials from the identity pool, SigV4 computed by the page) and OIDC mode (a token
minted by the emulator's test issuer, with the API's audience). Any failure raises
(non-zero exit).

Environment: EMULATOR_READY (the binary's ready line), CHROMIUM, CHROMEDRIVER.
"""

import json
import os
import sys
import tempfile
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

READY = json.loads(os.environ["EMULATOR_READY"])
ENDPOINT = READY["endpoint"]
POOL = READY["userPoolId"]
CLIENT = READY["clientId"]
CONSOLE = ENDPOINT + "/_emulator/console"
USERNAME = "browser-user"
WAIT = 15


def cognito(operation, body):
    request = urllib.request.Request(
        ENDPOINT + "/",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService." + operation,
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def outbox_code(who):
    with urllib.request.urlopen(f"{ENDPOINT}/_emulator/outbox?to={who}", timeout=10) as response:
        messages = json.load(response)["messages"]
    if not messages:
        raise AssertionError(f"no message for {who} in the outbox")
    return messages[-1]["code"]


def cell_texts(driver, css):
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, css)]


def main():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    profile = tempfile.mkdtemp(prefix="console-browser-")
    options.add_argument("--user-data-dir=" + profile)
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    try:
        run(driver)
    finally:
        driver.quit()


def run(driver):
    wait = WebDriverWait(driver, WAIT)

    # The outbox page is open before the sign-up: the code must arrive live.
    driver.get(CONSOLE + "/outbox")
    assert driver.title.startswith("Outbox"), driver.title
    cognito("SignUp", {
        "ClientId": CLIENT,
        "Username": USERNAME,
        "Password": "Browser-Passw0rd!",
        "UserAttributes": [{"Name": "email", "Value": "browser-user@example.com"},
                           {"Name": "name", "Value": "<script>window.pwned=1</script>"}],
    })
    code = outbox_code(USERNAME)
    wait.until(lambda d: code in cell_texts(d, "#outbox td"),
               "the confirmation code did not appear on the outbox page")
    row = driver.find_element(By.XPATH, f"//tbody[@id='outbox']/tr[td[text()='{code}']]")
    assert USERNAME in row.text and "SIGN_UP" in row.text, row.text
    print(f"outbox page shows the code {code} live")

    # The pool page: the user is UNCONFIRMED; the attribute is shown as text, not run.
    driver.get(f"{CONSOLE}/pool?id={POOL}")
    status = driver.find_element(By.CSS_SELECTOR, f"tr[data-username='{USERNAME}'] td.status")
    assert status.text == "UNCONFIRMED", status.text
    assert "<script>window.pwned=1</script>" in driver.page_source.replace("&lt;", "<").replace("&gt;", ">")
    assert driver.execute_script("return window.pwned === undefined"), "an attribute ran as script"
    print("pool page shows the user UNCONFIRMED")

    # The user's page: click Confirm, see CONFIRMED.
    driver.find_element(By.LINK_TEXT, USERNAME).click()
    wait.until(lambda d: d.find_elements(By.ID, "status"))
    assert driver.find_element(By.ID, "status").text == "UNCONFIRMED"
    driver.find_element(By.ID, "action-confirm").click()
    wait.until(lambda d: d.find_elements(By.ID, "notice"), "no notice after Confirm")
    assert driver.find_element(By.ID, "notice").text == "Confirmed.", driver.find_element(By.ID, "notice").text
    assert driver.find_element(By.ID, "status").text == "CONFIRMED", driver.find_element(By.ID, "status").text
    print("user page shows CONFIRMED after the click")

    user = cognito("AdminGetUser", {"UserPoolId": POOL, "Username": USERNAME})
    assert user["UserStatus"] == "CONFIRMED", user["UserStatus"]
    print("AdminGetUser agrees: CONFIRMED")

    # The request log: SignUp accepted.
    driver.get(CONSOLE + "/requests")
    rows = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "#requests tr")]
    assert any("SignUp" in r and "accepted" in r for r in rows), rows
    print("request log shows SignUp accepted")

    # The GraphQL query runner, from the page, in two modes; the emulator verifies each.
    driver.get(CONSOLE + "/graphql")
    for mode, extra in (("API_KEY", None), ("AMAZON_COGNITO_USER_POOLS", ("pool-user", USERNAME)),
                        ("AWS_IAM", ("iam-user", USERNAME)), ("OPENID_CONNECT", ("oidc-sub", "oidc-user"))):
        Select(driver.find_element(By.ID, "mode")).select_by_value(mode)
        if extra:
            field = driver.find_element(By.ID, extra[0])
            field.clear()
            field.send_keys(extra[1])
        query = driver.find_element(By.ID, "query")
        query.clear()
        query.send_keys("query { listTodos { items { id } } }")
        driver.find_element(By.ID, "run").click()
        wait.until(lambda d: d.find_element(By.ID, "result-status").text not in ("", "running..."),
                   f"the runner gave no answer in {mode}")
        status = driver.find_element(By.ID, "result-status").text
        result = driver.find_element(By.ID, "result").text
        assert status == "HTTP 200" and '"listTodos"' in result, (mode, status, result)
        print(f"query runner: {mode} answered {status}")
    driver.get(CONSOLE + "/requests")
    rows = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "#requests tr")]
    assert sum(1 for r in rows if "graphql" in r and "accepted" in r) >= 4, rows
    assert any("GetCredentialsForIdentity" in r and "accepted" in r for r in rows), rows
    print("request log shows the runner's GraphQL requests accepted")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # noqa: BLE001 - report any failure and exit non-zero
        print(f"console browser check FAILED: {error!r}", file=sys.stderr)
        raise
    print("console browser check passed")

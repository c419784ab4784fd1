// An app that knows only the file `amplify-emulator serve --write-config PATH` writes (issue 16),
// run by write-config.sh. For each file kind it starts the binary (EMULATOR_BIN) in a fresh
// temporary directory, waits for the ready line on stdout, then, as a JavaScript app would:
// reads the written file, hands it to unmodified amplify-js's Amplify.configure as is (checking the
// parsed config against the ready line), adds only the Cognito endpoints (neither amplify_outputs
// nor the web format has a key amplify-js reads for them), signs a user up, reads the confirmation
// code from the emulator's outbox, confirms, signs in, runs a GraphQL mutation and a query, signs
// out, stops the emulator with SIGTERM and checks it exits 0. Exits non-zero on any mismatch.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { Amplify } from 'aws-amplify';
import { signUp, confirmSignUp, signIn, signOut } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/api';

// The emulators still running and the temporary directory, cleaned up before a failure exits.
const running = new Set();
const root = mkdtempSync(join(tmpdir(), 'amplify-emulator-write-config-'));
const fail = (message) => {
  console.error(`write-config check failed: ${message}`);
  for (const child of running) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
  process.exit(1);
};
const expect = (what, got, want) => { if (got !== want) fail(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`); };
const bin = process.env.EMULATOR_BIN ?? fail('EMULATOR_BIN is not set');

/** Starts the emulator with `args`; resolves with its ready line once printed. */
async function startEmulator(args) {
  const child = spawn(bin, ['serve', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  running.add(child);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    running.delete(child);
    resolve({ code, signal });
  }));
  const spawnError = new Promise((_, reject) => child.on('error', reject));
  const lines = createInterface({ input: child.stdout });
  let started = false;
  const line = await Promise.race([
    new Promise((resolve) => lines.once('line', resolve)),
    exited.then((e) => started || fail(`amplify-emulator ${args.join(' ')} exited before its ready line: ${JSON.stringify(e)}`)),
    spawnError.catch((e) => fail(`cannot start ${bin}: ${e.message}`)),
  ]);
  started = true;
  lines.on('line', (l) => console.log(`emulator: ${l}`));
  return { child, exited, ready: JSON.parse(line) };
}

/** SIGTERM, then the exit status must be 0. */
async function stopEmulator({ child, exited }, what) {
  child.kill('SIGTERM');
  const { code, signal } = await exited;
  expect(`${what}: exit after SIGTERM`, signal === null ? code : `signal ${signal}`, 0);
}

/** The outbox's newest confirmation code for `username`. */
async function codeFor(endpoint, username) {
  const response = await fetch(`${endpoint}/_emulator/outbox?to=${encodeURIComponent(username)}`);
  expect('outbox status', response.status, 200);
  const { messages } = await response.json();
  const code = messages.filter((m) => m.code).at(-1)?.code;
  if (!code) fail(`no code in the outbox for ${username}: ${JSON.stringify(messages)}`);
  return code;
}

/** The app's flow on the configuration `file` holds, loaded with `load`. */
async function runApp(what, args, file, load, endpointOf) {
  const emulator = await startEmulator(args);
  const { ready } = emulator;
  const document = await load(file);
  Amplify.configure(document);
  const config = Amplify.getConfig();
  const cognito = config.Auth?.Cognito ?? fail(`${what}: no Auth.Cognito in the parsed config`);
  expect(`${what}: userPoolId`, cognito.userPoolId, ready.userPoolId);
  expect(`${what}: userPoolClientId`, cognito.userPoolClientId, ready.clientId);
  expect(`${what}: identityPoolId`, cognito.identityPoolId, ready.identityPoolId);
  expect(`${what}: allowGuestAccess`, cognito.allowGuestAccess, true);
  const graphql = config.API?.GraphQL ?? fail(`${what}: no API.GraphQL in the parsed config`);
  expect(`${what}: GraphQL endpoint`, graphql.endpoint, ready.graphqlUrl);
  expect(`${what}: GraphQL region`, graphql.region, ready.region);
  expect(`${what}: GraphQL defaultAuthMode`, graphql.defaultAuthMode, 'apiKey');
  expect(`${what}: GraphQL apiKey`, graphql.apiKey, ready.apiKey);

  // The Cognito endpoint: what the app knows besides the file (for amplify_outputs.json, the
  // file's own auth.user_pool_endpoint, which amplify-js does not read).
  const endpoint = endpointOf(document, ready);
  expect(`${what}: the emulator's endpoint`, endpoint, ready.endpoint);
  Amplify.configure({
    ...config,
    Auth: { Cognito: { ...cognito, userPoolEndpoint: endpoint, identityPoolEndpoint: endpoint } },
  });

  const username = `app-${what.replace(/[^a-z0-9]/gi, '-')}`;
  const password = 'Sup3r-Secret-Passw0rd!';
  const signedUp = await signUp({ username, password, options: { userAttributes: { email: `${username}@example.com` } } });
  expect(`${what}: sign-up step`, signedUp.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
  const confirmed = await confirmSignUp({ username, confirmationCode: await codeFor(endpoint, username) });
  expect(`${what}: sign-up complete`, confirmed.isSignUpComplete, true);
  const signedIn = await signIn({ username, password });
  expect(`${what}: signed in`, signedIn.isSignedIn, true);

  const client = generateClient();
  const name = `written by ${what}`;
  const created = await client.graphql({
    query: 'mutation Create($input: CreateTodoInput!) { createTodo(input: $input) { id name } }',
    variables: { input: { name } },
    authMode: 'userPool',
  });
  const id = created.data?.createTodo?.id ?? fail(`${what}: createTodo returned ${JSON.stringify(created)}`);
  expect(`${what}: created name`, created.data.createTodo.name, name);
  const listed = await client.graphql({ query: 'query { listTodos { items { id name } } }' });
  const found = listed.data?.listTodos?.items?.find((t) => t.id === id);
  expect(`${what}: the created Todo listed with the API key`, found?.name, name);
  await signOut();
  await stopEmulator(emulator, what);
  console.log(`write-config check: ${what} passed`);
}

const json = (file) => JSON.parse(readFileSync(file, 'utf8'));
const fromReadyLine = (_, ready) => ready.endpoint;
try {
  // Gen 2: the endpoint is in the file, though amplify-js does not read it.
  const outputs = join(root, 'amplify_outputs.json');
  await runApp('amplify_outputs.json', ['--write-config', outputs], outputs, json,
    (doc) => doc.auth?.user_pool_endpoint);

  // The Gen 1 web module, imported as a bundler would (ES module syntax: the directory is a
  // "type": "module" package).
  const project = join(root, 'web-app');
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module' }));
  const exportsJs = join(project, 'src', 'aws-exports.js');
  await runApp('aws-exports.js', ['--write-config', exportsJs], exportsJs,
    async (file) => (await import(pathToFileURL(file).href)).default, fromReadyLine);

  // A JavaScript project's src/amplifyconfiguration.json (the same web object as JSON).
  const webJson = join(project, 'src', 'amplifyconfiguration.json');
  await runApp('amplifyconfiguration.json (gen1-web)',
    ['--write-config', webJson, '--config-format', 'gen1-web'], webJson, json, fromReadyLine);
} catch (e) {
  fail(e?.stack ?? JSON.stringify(e));
}
rmSync(root, { recursive: true, force: true });
console.log('write-config check passed: amplify_outputs.json, aws-exports.js and a web amplifyconfiguration.json written by the emulator drove amplify-js sign-up, sign-in and GraphQL');

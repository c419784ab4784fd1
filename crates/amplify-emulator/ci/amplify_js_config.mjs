// amplify-js v6 (unmodified) reads the configuration documents the emulator serves (issue 16):
// GET <endpoint>/_emulator/amplify_outputs.json (Gen 2) and /_emulator/aws-exports.json (the Gen 1
// web format the Amplify CLI writes to aws-exports.js) each go to Amplify.configure as is, and the
// parsed ResourcesConfig must name the emulator's pool, client, identity pool, guest access,
// GraphQL endpoint, region, auth mode and API key (and, from the web format, the REST API). Then a
// sign-in and an API-key GraphQL call run on each parsed config (neither format has a key for a
// custom Cognito endpoint, so only the endpoints are added).
// Reads the emulator's ready line from EMULATOR_READY; exits non-zero on any failure.
import { Amplify } from 'aws-amplify';
import { signIn, signOut } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/api';

const ready = JSON.parse(process.env.EMULATOR_READY);
const fail = (message) => { console.error(`amplify-js config check failed: ${message}`); process.exit(1); };
const expect = (what, got, want) => { if (got !== want) fail(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`); };

async function check(route, extra) {
  const response = await fetch(`${ready.endpoint}${route}`);
  expect(`${route} status`, response.status, 200);
  expect(`${route} content-type`, response.headers.get('content-type')?.split(';')[0], 'application/json');
  Amplify.configure(await response.json());
  const config = Amplify.getConfig();
  const cognito = config.Auth?.Cognito;
  if (!cognito) fail(`${route}: no Auth.Cognito in the parsed config`);
  expect(`${route} userPoolId`, cognito.userPoolId, ready.userPoolId);
  expect(`${route} userPoolClientId`, cognito.userPoolClientId, ready.clientId);
  expect(`${route} identityPoolId`, cognito.identityPoolId, ready.identityPoolId);
  expect(`${route} allowGuestAccess`, cognito.allowGuestAccess, true);
  expect(`${route} userPoolEndpoint`, cognito.userPoolEndpoint, undefined);
  const graphql = config.API?.GraphQL;
  if (!graphql) fail(`${route}: no API.GraphQL in the parsed config`);
  expect(`${route} GraphQL endpoint`, graphql.endpoint, ready.graphqlUrl);
  expect(`${route} GraphQL region`, graphql.region, ready.region);
  expect(`${route} GraphQL defaultAuthMode`, graphql.defaultAuthMode, 'apiKey');
  expect(`${route} GraphQL apiKey`, graphql.apiKey, ready.apiKey);
  extra(config);

  Amplify.configure({
    ...config,
    Auth: { Cognito: { ...cognito, userPoolEndpoint: ready.endpoint, identityPoolEndpoint: ready.endpoint } },
  });
  const result = await signIn({ username: 'alice', password: 'Passw0rd!' });
  if (!result.isSignedIn) fail(`${route}: signIn stopped at ${result.nextStep.signInStep}`);
  const listed = await generateClient().graphql({ query: 'query { listTodos { items { id } } }' });
  if (!Array.isArray(listed.data?.listTodos?.items)) fail(`${route}: listTodos with the served API key`);
  await signOut();
}

await check('/_emulator/amplify_outputs.json', () => {});
await check('/_emulator/aws-exports.json', (config) => {
  // The web format's REST APIs (aws_cloud_logic_custom), which amplify_outputs.json cannot carry
  // for amplify-js.
  const names = Object.keys(ready.restApis ?? {});
  if (names.length === 0) fail('the emulator serves no REST API to check');
  for (const name of names) {
    expect(`REST ${name} endpoint`, config.API?.REST?.[name]?.endpoint, ready.restApis[name]);
    expect(`REST ${name} region`, config.API?.REST?.[name]?.region, ready.region);
  }
  expect('Auth.Cognito.mfa.status', config.Auth.Cognito.mfa?.status, 'optional');
});
console.log('amplify-js config check passed: amplify_outputs.json and aws-exports.json served by the emulator, parsed by Amplify.configure, sign-in and GraphQL on each');

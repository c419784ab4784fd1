// amplify-js v6 (unmodified) reads the configuration the emulator serves (issue 16):
// GET <endpoint>/_emulator/amplify_outputs.json goes to Amplify.configure as is, and the parsed
// ResourcesConfig must name the emulator's pool, client, identity pool, GraphQL endpoint, region,
// auth mode and API key. Then a sign-in and an API-key GraphQL call run on that parsed config
// (amplify_outputs has no key for a custom Cognito endpoint, so only the endpoint is added).
// Reads the emulator's ready line from EMULATOR_READY; exits non-zero on any failure.
import { Amplify } from 'aws-amplify';
import { signIn, signOut } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/api';

const ready = JSON.parse(process.env.EMULATOR_READY);
const fail = (message) => { console.error(`amplify-js config check failed: ${message}`); process.exit(1); };
const expect = (what, got, want) => { if (got !== want) fail(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`); };

const response = await fetch(`${ready.endpoint}/_emulator/amplify_outputs.json`);
expect('status', response.status, 200);
expect('content-type', response.headers.get('content-type')?.split(';')[0], 'application/json');
Amplify.configure(await response.json());
const config = Amplify.getConfig();
const cognito = config.Auth?.Cognito;
if (!cognito) fail('no Auth.Cognito in the parsed config');
expect('userPoolId', cognito.userPoolId, ready.userPoolId);
expect('userPoolClientId', cognito.userPoolClientId, ready.clientId);
expect('identityPoolId', cognito.identityPoolId, ready.identityPoolId);
expect('allowGuestAccess', cognito.allowGuestAccess, true);
const graphql = config.API?.GraphQL;
if (!graphql) fail('no API.GraphQL in the parsed config');
expect('GraphQL endpoint', graphql.endpoint, ready.graphqlUrl);
expect('GraphQL region', graphql.region, ready.region);
expect('GraphQL defaultAuthMode', graphql.defaultAuthMode, 'apiKey');
expect('GraphQL apiKey', graphql.apiKey, ready.apiKey);

Amplify.configure({
  ...config,
  Auth: { Cognito: { ...cognito, userPoolEndpoint: ready.endpoint, identityPoolEndpoint: ready.endpoint } },
});
const result = await signIn({ username: 'alice', password: 'Passw0rd!' });
if (!result.isSignedIn) fail(`signIn stopped at ${result.nextStep.signInStep}`);
const listed = await generateClient().graphql({ query: 'query { listTodos { items { id } } }' });
if (!Array.isArray(listed.data?.listTodos?.items)) fail('listTodos with the served API key');
await signOut();
console.log('amplify-js config check passed: amplify_outputs.json served by the emulator, parsed by Amplify.configure, sign-in and GraphQL on it');

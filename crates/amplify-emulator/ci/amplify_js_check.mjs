// amplify-js v6 (unmodified) against amplify-emulator: SRP sign-in, user attributes, identity-pool
// credentials, forced refresh (GetTokensFromRefreshToken), global sign-out, guest access.
// Reads the emulator's ready line from EMULATOR_READY; exits non-zero on any failure.
import { Amplify } from 'aws-amplify';
import { signIn, signOut, fetchAuthSession, fetchUserAttributes, getCurrentUser } from 'aws-amplify/auth';

const ready = JSON.parse(process.env.EMULATOR_READY);
const fail = (message) => { console.error(`amplify-js check failed: ${message}`); process.exit(1); };

Amplify.configure({
  Auth: { Cognito: {
    userPoolId: ready.userPoolId, userPoolClientId: ready.clientId, identityPoolId: ready.identityPoolId,
    userPoolEndpoint: ready.endpoint, identityPoolEndpoint: ready.endpoint, allowGuestAccess: true,
  } },
});

try {
  await signIn({ username: 'alice', password: 'Wr0ngPassword!' });
  fail('a wrong password signed in');
} catch (e) {
  if (e.name !== 'NotAuthorizedException') fail(`wrong password gave ${e.name}`);
}
const result = await signIn({ username: 'alice', password: 'Passw0rd!' });
if (!result.isSignedIn) fail(`signIn stopped at ${result.nextStep.signInStep}`);
if ((await getCurrentUser()).username !== 'alice') fail('getCurrentUser');
if ((await fetchUserAttributes()).email !== 'alice@example.com') fail('fetchUserAttributes');
const first = await fetchAuthSession();
if (!first.identityId || !first.credentials?.accessKeyId?.startsWith('ASIA')) fail('identity credentials');
const refreshed = await fetchAuthSession({ forceRefresh: true });
if (refreshed.identityId !== first.identityId) fail('identity changed after refresh');
await signOut({ global: true });
const guest = await fetchAuthSession();
if (!guest.credentials || guest.identityId === first.identityId) fail('guest session');
console.log('amplify-js checks passed');

// amplify-js v6 (unmodified) signs in with TOTP MFA and with email MFA against amplify-emulator,
// which checks the codes (RFC 6238 on its clock; the emailed code from its outbox). amplify-js
// sets MFA up itself (setUpTOTP, verifyTOTPSetup, updateMFAPreference). Reads the emulator's ready
// line from EMULATOR_READY; exits non-zero on any failure.
import crypto from 'node:crypto';
import { Amplify } from 'aws-amplify';
import {
  signIn, signOut, confirmSignIn, setUpTOTP, verifyTOTPSetup, updateMFAPreference,
  fetchMFAPreference,
} from 'aws-amplify/auth';

const ready = JSON.parse(process.env.EMULATOR_READY);
const fail = (message) => { console.error(`amplify-js MFA check failed: ${message}`); process.exit(1); };

Amplify.configure({
  Auth: { Cognito: {
    userPoolId: ready.userPoolId, userPoolClientId: ready.clientId,
    userPoolEndpoint: ready.endpoint,
  } },
});

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s), written here independently of the emulator.
const base32 = (text) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) fail(`not base32: ${c}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
};
const totp = (secret, step) => {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, '0');
};

// TOTP: set up with the current step's code, sign in with the next step's (the emulator
// accepts one step of tolerance and never a code twice).
await signIn({ username: 'tom', password: 'Passw0rd!' });
const details = await setUpTOTP();
const step = Math.floor(Date.now() / 1000 / 30);
await verifyTOTPSetup({ code: totp(details.sharedSecret, step) });
await updateMFAPreference({ totp: 'PREFERRED' });
const preference = await fetchMFAPreference();
if (preference.preferred !== 'TOTP') fail(`TOTP not preferred: ${JSON.stringify(preference)}`);
await signOut();
const totpSignIn = await signIn({ username: 'tom', password: 'Passw0rd!' });
if (totpSignIn.nextStep.signInStep !== 'CONFIRM_SIGN_IN_WITH_TOTP_CODE') {
  fail(`TOTP sign-in stopped at ${totpSignIn.nextStep.signInStep}`);
}
try {
  await confirmSignIn({ challengeResponse: '000000' });
  fail('a wrong TOTP code signed in');
} catch (e) {
  if (e.name !== 'CodeMismatchException') fail(`wrong TOTP code gave ${e.name}`);
}
const totpDone = await confirmSignIn({ challengeResponse: totp(details.sharedSecret, step + 1) });
if (!totpDone.isSignedIn) fail(`TOTP confirm stopped at ${totpDone.nextStep.signInStep}`);
await signOut();

// Email MFA: the code from the emulator's outbox.
await signIn({ username: 'emma', password: 'Passw0rd!' });
await updateMFAPreference({ email: 'PREFERRED' });
await signOut();
const emailSignIn = await signIn({ username: 'emma', password: 'Passw0rd!' });
if (emailSignIn.nextStep.signInStep !== 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE') {
  fail(`email MFA sign-in stopped at ${emailSignIn.nextStep.signInStep}`);
}
const outbox = await (await fetch(`${ready.endpoint}/_emulator/outbox?to=emma`)).json();
const messages = Array.isArray(outbox) ? outbox : outbox.messages;
const code = messages?.at(-1)?.code;
if (!code) fail(`no emailed code in the outbox: ${JSON.stringify(outbox)}`);
const emailDone = await confirmSignIn({ challengeResponse: code });
if (!emailDone.isSignedIn) fail(`email confirm stopped at ${emailDone.nextStep.signInStep}`);
await signOut();
console.log('amplify-js MFA check passed: TOTP setup and sign-in, email MFA sign-in');

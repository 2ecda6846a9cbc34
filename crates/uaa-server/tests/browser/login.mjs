// Signs in through the server's login page in a real browser, approves the client, and lands on
// the client's redirect URI with an authorization code, as a person would: by the labels on the
// page, with the keyboard-reachable buttons, no JavaScript on the server's side.
//
// Environment:
//   UAA_URL            the server's base URL (required), e.g. http://127.0.0.1:43210
//   UAA_BROWSER_OUT    folder for the screenshots (default: ./out)
//   UAA_CLIENT_ID      default webapp
//   UAA_REDIRECT_URI   the client's registered redirect URI (required); the client listening
//                      there answers with a page whose heading is "Client received the code"
//   UAA_SCOPE          default "openid cloud_controller.read"
//   UAA_USERNAME / UAA_PASSWORD   default marissa / koala
//   CHROMIUM           default /usr/bin/chromium
//
// Prints one JSON line: {"code","state","verifier","redirect_uri","url","screenshots"}.

import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.UAA_URL;
if (!base) {
  console.error('UAA_URL is not set');
  process.exit(2);
}
const out = resolve(process.env.UAA_BROWSER_OUT ?? 'out');
const clientId = process.env.UAA_CLIENT_ID ?? 'webapp';
const redirectUri = process.env.UAA_REDIRECT_URI;
if (!redirectUri) {
  console.error('UAA_REDIRECT_URI is not set');
  process.exit(2);
}
const scope = process.env.UAA_SCOPE ?? 'openid cloud_controller.read';
const username = process.env.UAA_USERNAME ?? 'marissa';
const password = process.env.UAA_PASSWORD ?? 'koala';
mkdirSync(out, { recursive: true });

// PKCE (RFC 7636): computed here, independently of the server.
const verifier = randomBytes(32).toString('base64url');
const challenge = createHash('sha256').update(verifier).digest('base64url');
const state = randomBytes(8).toString('hex');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
const screenshots = [];
const shot = async (page, name) => {
  const path = join(out, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  screenshots.push(path);
};

try {
  const context = await browser.newContext({ viewport: { width: 800, height: 700 } });
  const page = await context.newPage();

  const authorize = new URL('/oauth/authorize', base);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })) {
    authorize.searchParams.set(k, v);
  }
  await page.goto(authorize.href);

  // The sign-in page, found by its heading and labels.
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Email or username').fill(username);
  await page.getByLabel('Password').fill(password);
  await shot(page, 'login');
  await page.getByLabel('Password').press('Enter');

  // The approval page: every permission is a labelled checkbox.
  await page.getByRole('heading', { name: /^Authorize / }).waitFor();
  for (const box of await page.getByRole('checkbox').all()) {
    await box.check();
  }
  await shot(page, 'consent');
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(redirectUri)),
    page.getByRole('button', { name: 'Authorize' }).click(),
  ]);

  await page.getByRole('heading', { name: 'Client received the code' }).waitFor();
  await shot(page, 'callback');
  const landed = new URL(page.url());
  const result = {
    code: landed.searchParams.get('code'),
    state: landed.searchParams.get('state'),
    expected_state: state,
    verifier,
    redirect_uri: redirectUri,
    url: landed.href,
    screenshots,
  };
  console.log(JSON.stringify(result));
  if (!result.code || result.state !== state) {
    console.error('the browser did not land on the client with a code and the state');
    process.exitCode = 1;
  }
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  await browser.close();
}

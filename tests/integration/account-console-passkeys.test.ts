import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { totpCode } from '../../src/identity/domain/one-time-codes';
import { auditOf } from '../support/audit';
import { addPlatformAuthenticator, launchChromium } from '../support/chromium';
import { midTotpStep, testClock } from '../support/clock';
import {
  accessibilityProblems,
  buildConsole,
  checking,
  openBrowser,
  pageWidth,
  SCREENSHOTS,
  shoot,
  storySteps,
} from '../support/console-browser';
import { aRegistration } from '../support/factories';
import { recordSecretsIn } from '../support/log-scan';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Passkeys in the account console, in a real headless Chromium with the browser's own WebAuthn
 * code and a virtual authenticator added over the DevTools protocol
 * (WebAuthn.addVirtualAuthenticator: CTAP2, an internal platform authenticator with resident keys
 * and user verification, which answers the browser's dialog at once). The test app listens
 * before it is composed, so that PUBLIC_WEB_URL can name the console's own origin
 * (http://localhost:<port>/account): the relying party is then `localhost`, the one origin
 * accepted the page's. Nothing is intercepted; every page is watched for console errors.
 */

const clock = testClock(midTotpStep());
let app: TestApp;
let browser: Browser;
/** http://localhost:<port>: the service, the console's origin and the relying party's. */
let origin: string;
const consoleErrors: string[] = [];

beforeAll(async () => {
  buildConsole({ quiet: true });
  app = await startTestApp({ clock, ownOriginEnv: (own) => ({ PUBLIC_WEB_URL: `${own}/account` }) });
  origin = `http://localhost:${new URL(app.baseUrl).port}`;
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** A browser with a virtual platform authenticator: a passkey made here stays in it. */
async function browserWithAuthenticator(): Promise<{
  context: BrowserContext;
  page: Page;
  cdp: CDPSession;
  authenticatorId: string;
}> {
  const { context, page } = await openBrowser(browser, consoleErrors);
  const { cdp, authenticatorId } = await addPlatformAuthenticator(context, page);
  return { context, page, cdp, authenticatorId };
}

const step = storySteps();

describe('passkeys in the account console', () => {
  const person = aRegistration();
  recordSecretsIn({ password: person.password });
  const firstName = 'Chromium test laptop';
  const newName = 'Work laptop';
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;
  let totpSecret: string;

  beforeAll(async () => {
    ({ context, page, cdp, authenticatorId } = await browserWithAuthenticator());
  });
  afterAll(() => context?.close());

  const passkeyCards = () => page.getByRole('list', { name: 'Your passkeys' }).getByRole('listitem');
  const toSecurity = async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Security' }).click();
    await page.getByRole('heading', { name: 'Security', exact: true }).waitFor();
    await page.getByRole('heading', { name: 'Passkeys' }).waitFor();
  };
  const signOut = async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  };

  step(
    'a new account adds a passkey on the security page: the browser makes it, the page lists it',
    async () => {
      await page.goto(`${origin}/account/sign-up`);
      await page.getByRole('heading', { name: 'Create an account' }).waitFor();
      await page.getByLabel('Username').fill(person.username);
      await page.getByLabel('Email', { exact: true }).fill(person.email);
      await page.getByLabel('Password', { exact: true }).fill(person.password);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: 'Profile' }).waitFor();

      await toSecurity();
      await page.getByText('You have no passkeys yet.').waitFor();
      // Signed up moments ago: no password needed.
      await page.getByLabel('Name for the passkey (optional)').fill(firstName);
      await page.getByRole('button', { name: 'Add a passkey' }).click();
      await page.getByText(`Passkey “${firstName}” added.`).waitFor();
      const card = passkeyCards().filter({ hasText: firstName });
      await checking('one passkey listed, with when it was added and never used', async () => {
        expect(await passkeyCards().count()).toBe(1);
        const text = await card.textContent();
        expect(text).toContain('Added');
        expect(text).toMatch(/Last used\s*never/);
      });
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      await checking('the authenticator holds it as a discoverable credential for RP id localhost', () => {
        expect(credentials).toHaveLength(1);
        expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
      });
      expect(await accessibilityProblems(page)).toEqual([]);
    },
  );

  step('renaming it by keyboard: focus goes into the form and back', async () => {
    await page.getByRole('button', { name: `Rename passkey ${firstName}` }).focus();
    await page.keyboard.press('Enter');
    const input = page.getByLabel('New name');
    await input.waitFor();
    await checking('the name field has focus, holding the current name', async () => {
      expect(
        await input.evaluate((el) => el === (el.ownerDocument as { activeElement: unknown }).activeElement),
      ).toBe(true);
      expect(await input.inputValue()).toBe(firstName);
    });
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(newName);
    await page.keyboard.press('Enter');
    await page.getByText(`Passkey renamed to “${newName}”.`).waitFor();
    await checking('listed under the new name only', async () => {
      expect(await passkeyCards().count()).toBe(1);
      expect(await passkeyCards().first().getByRole('heading').textContent()).toBe(newName);
    });
    await checking('focus is back on the Rename button', async () =>
      expect(
        await page
          .getByRole('button', { name: `Rename passkey ${newName}` })
          .evaluate((el) => el === (el.ownerDocument as { activeElement: unknown }).activeElement),
      ).toBe(true),
    );
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot(page, 'security-passkeys');
    await page.setViewportSize({ width: 375, height: 800 });
    const width = await pageWidth(page);
    await checking('the security page at 375 px: no horizontal scrolling', () =>
      expect(width.scroll).toBeLessThanOrEqual(width.client),
    );
    await page.setViewportSize({ width: 1100, height: 900 });
  });

  step(
    'signed out, the passkey signs in with no username typed; the devices page shows the session',
    async () => {
      await signOut();
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await page.getByRole('heading', { name: 'Profile' }).waitFor();
      await page.getByRole('navigation').getByRole('link', { name: 'Devices' }).click();
      await page.getByRole('heading', { name: 'Devices' }).waitFor();
      const cards = page.getByRole('list', { name: 'Signed-in devices' }).getByRole('listitem');
      await cards.first().waitFor();
      await checking('one device, this one, in Chromium', async () => {
        expect(await cards.count()).toBe(1);
        const text = await cards.first().textContent();
        expect(text).toContain('this device');
        expect(text).toMatch(/Chrom/);
      });
      await toSecurity();
      await checking('the passkey shows when it was last used', async () =>
        expect(await passkeyCards().first().textContent()).not.toMatch(/Last used\s*never/),
      );
      const succeeded = (await auditOf(app, (await userId()) as string))
        .filter((e) => e.type === 'login.succeeded')
        .map((e) => JSON.parse(e.data).via);
      await checking('the service recorded a passkey sign-in', () => expect(succeeded).toContain('passkey'));
    },
  );

  step('with TOTP on, a password sign-in answers the second step with the passkey', async () => {
    // The passkey sign-in was moments ago: setting up the app needs no password.
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    const secret = page.getByTestId('totp-secret');
    await secret.waitFor();
    totpSecret = (await secret.textContent())?.trim() ?? '';
    recordSecretsIn({ secret: totpSecret });
    await page.getByLabel('Code from the app').fill(totpCode(totpSecret, clock.now()));
    await page.getByRole('button', { name: 'Turn on' }).click();
    const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await codes.first().waitFor();
    recordSecretsIn({ codes: await codes.allTextContents() });
    await page.getByRole('button', { name: 'I have saved my recovery codes' }).click();
    await page.getByText('Two-step sign-in is on').waitFor();

    await signOut();
    await page.getByLabel('Email or username').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const choices = page.getByRole('group', { name: 'Answer with' });
    await choices.waitFor();
    await checking('the passkey is offered beside the app and a recovery code', async () =>
      expect(
        await choices.getByRole('radio').evaluateAll((els) => els.map((el) => el.getAttribute('value'))),
      ).toEqual(['TOTP', 'PASSKEY', 'RECOVERY']),
    );
    await choices.getByRole('radio', { name: 'Passkey' }).check();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.getByRole('heading', { name: 'Profile' }).waitFor();
    const verified = (await auditOf(app, (await userId()) as string)).filter(
      (e) => e.type === 'passkey.used' && JSON.parse(e.data).purpose !== 'sign_in',
    );
    await checking('the service recorded the passkey as the second factor', () =>
      expect(verified).toHaveLength(1),
    );
  });

  step(
    'removing the passkey: refused without the password once the sign-in is old, then removed',
    async () => {
      await toSecurity();
      clock.advance(301); // the sign-in is no longer recent
      await page.getByRole('button', { name: `Remove passkey ${newName}` }).click();
      const form = page.getByRole('form', { name: `Remove passkey ${newName}` });
      await form.getByRole('button', { name: 'Remove passkey' }).click();
      const refusal = form.locator('.form-error');
      await refusal.waitFor();
      await checking('asked for the password', async () =>
        expect(await refusal.textContent()).toMatch(/Confirm your password/),
      );
      await form.getByLabel('Your password').fill(person.password);
      await form.getByRole('button', { name: 'Remove passkey' }).click();
      await page.getByText(`Passkey “${newName}” removed.`).waitFor();
      await page.getByText('You have no passkeys yet.').waitFor();
      await checking("focus moved from the removed card to the section's heading", async () =>
        expect(
          await page
            .getByRole('heading', { name: 'Passkeys' })
            .evaluate((el) => el === (el.ownerDocument as { activeElement: unknown }).activeElement),
        ).toBe(true),
      );
      expect(await accessibilityProblems(page)).toEqual([]);
    },
  );

  step('the removed passkey no longer signs in: the sign-in page says so', async () => {
    await signOut();
    // The authenticator still holds it; the service refuses it.
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    const alert = page.locator('.inline-action .form-error');
    await alert.waitFor();
    await checking('refused, the page still on sign in', async () => {
      expect(await alert.textContent()).toBe(
        'That passkey did not sign you in. It may have been removed from your account.',
      );
      expect(await page.getByRole('heading', { name: 'Sign in' }).count()).toBe(1);
    });
  });

  /** The account's id, as the console's own profile query sees it. */
  async function userId(): Promise<string | undefined> {
    const rows = await app.orm.em
      .getConnection()
      .execute('select id from users where lower(email) = lower(?)', [person.email]);
    return rows[0]?.id;
  }
});

describe('a passkey dialog that ends without a passkey', () => {
  it('says so calmly and logs no console error', async () => {
    const { context, page, cdp, authenticatorId } = await browserWithAuthenticator();
    try {
      // The authenticator cannot verify the user, and the service asks for user verification:
      // the browser ends the ceremony with NotAllowedError, as when a person closes the dialog.
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
      await page.goto(`${origin}/account/sign-in`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await page.getByText('No passkey was used: the dialog was closed or timed out.').waitFor();
      await page
        .getByRole('button', { name: 'Sign in with a passkey' })
        .and(page.locator(':enabled'))
        .waitFor();
    } finally {
      await context.close();
    }
  });
});

describe('every page above', () => {
  it('logged no console error', () => {
    expect(consoleErrors).toEqual([]);
  });
});

import type { MailMessage } from './outbox.js';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** Hides most of an address in a notice sent elsewhere: "n…a@example.com". */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const shown = local.length <= 2 ? `${local[0] ?? ''}…` : `${local[0]}…${local[local.length - 1]}`;
  return `${shown}${email.slice(at)}`;
}

interface Parts {
  to: string;
  subject: string;
  /** Paragraphs of plain text. */
  paragraphs: string[];
  link?: { url: string; label: string };
}

/** One message in plain text and HTML, the same words in both. No password or token but the link's own. */
function compose(parts: Parts): MailMessage {
  const text = [
    ...parts.paragraphs,
    ...(parts.link ? [`${parts.link.label}: ${parts.link.url}`] : []),
    '',
    '— elcorp identity',
  ].join('\n\n');
  const html = [
    '<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5">',
    ...parts.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(parts.link
      ? [`<p><a href="${escapeHtml(parts.link.url)}">${escapeHtml(parts.link.label)}</a></p>`]
      : []),
    '<p style="color: #666">— elcorp identity</p>',
    '</body></html>',
  ].join('\n');
  return { to: parts.to, subject: parts.subject, text, html };
}

/** The service's emails, their links built from PUBLIC_WEB_URL. */
export function createMailMessages(publicWebUrl: string) {
  const base = publicWebUrl.replace(/\/+$/, '');
  const link = (path: string, token: string) => `${base}/${path}?token=${encodeURIComponent(token)}`;
  const notSelf = 'If this was not you, change your password now and sign out your other devices.';
  return {
    verifyEmail: (to: string, token: string) =>
      compose({
        to,
        subject: 'Confirm your email address',
        paragraphs: [
          'Confirm that this address belongs to your elcorp account. The link works once, for 24 hours.',
        ],
        link: { url: link('verify-email', token), label: 'Confirm your email address' },
      }),
    confirmNewEmail: (to: string, token: string) =>
      compose({
        to,
        subject: 'Confirm your new email address',
        paragraphs: [
          'You asked to use this address for your elcorp account. It takes effect once you confirm it; the link works once, for 24 hours.',
        ],
        link: { url: link('verify-email', token), label: 'Confirm your new email address' },
      }),
    emailChangeRequested: (to: string, newEmail: string) =>
      compose({
        to,
        subject: 'Your email address is being changed',
        paragraphs: [
          `Someone signed in to your elcorp account asked to change its email address to ${maskEmail(newEmail)}. It changes only once the new address confirms it.`,
          notSelf,
        ],
      }),
    emailChanged: (to: string, newEmail: string) =>
      compose({
        to,
        subject: 'Your email address was changed',
        paragraphs: [
          `Your elcorp account now uses ${maskEmail(newEmail)}; this address no longer signs in.`,
          notSelf,
        ],
      }),
    resetPassword: (to: string, token: string) =>
      compose({
        to,
        subject: 'Reset your password',
        paragraphs: [
          'Someone asked to reset the password of your elcorp account. The link works once, for 30 minutes; if you did not ask, ignore this message: your password stays as it is.',
        ],
        link: { url: link('reset-password', token), label: 'Choose a new password' },
      }),
    passwordChanged: (to: string) =>
      compose({
        to,
        subject: 'Your password was changed',
        paragraphs: [
          'The password of your elcorp account was changed, and your other devices were signed out.',
          notSelf,
        ],
      }),
    newDevice: (to: string, sign: { device: string; client?: string; address?: string; at: Date }) =>
      compose({
        to,
        subject: 'A sign-in from a new device',
        paragraphs: [
          `Your elcorp account was signed in on a device it had not seen before: ${[
            sign.device,
            sign.client,
            sign.address,
          ]
            .filter(Boolean)
            .join(', ')}, at ${sign.at.toISOString().replace('T', ' ').slice(0, 16)} UTC.`,
          notSelf,
        ],
      }),
    walletClaimRemoved: (to: string, blockchain: string) =>
      compose({
        to,
        subject: 'The wallet was removed from your profile',
        paragraphs: [
          `The ${blockchain === 'SOLANA' ? 'Solana' : 'Ethereum'} wallet address on your elcorp profile was never proved with a signature from the wallet, and its owner has now proved control of it for another account, so it was removed from your profile.`,
          'If the wallet is yours, sign in and link it again: the wallet signs a message to prove it is yours.',
        ],
      }),
    mfaDisabled: (to: string) =>
      compose({
        to,
        subject: 'Two-step sign-in was turned off',
        paragraphs: ['Two-step sign-in (second factors) was turned off for your elcorp account.', notSelf],
      }),
  };
}

export type MailMessages = ReturnType<typeof createMailMessages>;

import { MailOutboxMessage } from '../src/adapters/mail/mail-outbox.entity.js';
import { runCommand, withOrm } from './with-orm.js';

/**
 * `npm run mail:outbox [-- <count>]`: prints the latest mail of the development mail sender
 * (SMTP_URL unset), recipient, subject and the plain-text part, links included.
 */
runCommand(() =>
  withOrm(async (orm) => {
    const count = Number(process.argv[2] ?? 10) || 10;
    const messages = await orm.em
      .fork()
      .find(MailOutboxMessage, {}, { orderBy: { createdAt: 'desc' }, limit: count });
    if (messages.length === 0) console.log('the mail outbox is empty');
    for (const m of messages.reverse()) {
      console.log(`${m.createdAt.toISOString()}  to ${m.to}  subject: ${m.subject}`);
      console.log(`${m.text.replace(/^/gm, '    ')}\n`);
    }
    return 0;
  }),
);
